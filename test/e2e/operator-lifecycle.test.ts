/**
 * The operator against a real kube-apiserver + etcd and real Kafka: apply → children, topics and
 * conditions; spec changes converge; CEL refuses what admission must; drift is restored while a
 * foreign field manager's fields survive; autoscaling leaves replicas to the HPA; deletion runs
 * the finalizer. Each test has its own namespaces, topics and operator instance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '../support/infra.ts';
import { KubeApiError } from '../../operator/src/runtime/cluster.ts';
import type { KubeCluster } from '../../operator/src/runtime/kube.ts';
import type { RunningOperator } from '../../operator/src/operator.ts';
import type { CesStream } from '../../contracts/src/crd/v1alpha1.ts';
import {
  cesStream,
  clusterFor,
  createNamespace,
  deleteNamespaces,
  deleteTopic,
  forceDeleteStream,
  getStream,
  installCrd,
  markDeploymentReady,
  skip,
  startTestOperator,
  streamSpec,
  topicPartitions,
  withTopicAdmin,
  waitFor,
  waitForCondition,
} from './operator-harness.ts';

const admin = () => clusterFor();

interface Env {
  cluster: KubeCluster;
  ns: string;
  mon: string;
  operator: RunningOperator;
  topic: string;
  name: string;
}

/** A namespace pair, a running operator, and a Ready CesStream (fake kubelet marks pods ready). */
async function readyStream(prefix: string, spec = streamSpec(uniqueName(prefix))): Promise<Env> {
  const cluster = admin();
  const ns = await createNamespace(cluster, prefix);
  const mon = await createNamespace(cluster, `${prefix}-mon`);
  const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon });
  const name = 'shop';
  await cluster.create(cesStream(ns, name, spec));
  await waitForCondition(cluster, ns, name, 'TopicsReady', 'True');
  await markDeploymentReady(cluster, ns, `${name}-gateway`);
  await waitForCondition(cluster, ns, name, 'Ready', 'True');
  return { cluster, ns, mon, operator, topic: spec.kafka.topics[0]!.name, name };
}

async function teardown(env: Env | undefined): Promise<void> {
  if (!env) return;
  await forceDeleteStream(env.cluster, env.ns, env.name);
  await env.operator.stop();
  await deleteTopic(env.topic);
  await deleteNamespaces(env.cluster, [env.ns, env.mon]);
}

async function patchSpec(cluster: KubeCluster, env: Env, spec: Record<string, unknown>): Promise<void> {
  await cluster.mergePatch({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace: env.ns, name: env.name }, { spec });
}

describe('operator lifecycle (real kube-apiserver, real Kafka)', { skip }, () => {
  before(async () => installCrd(admin()));

  describe('apply', () => {
    let env: Env | undefined;
    after(() => teardown(env));

    it('creates owned children with controller owner references, Grafana ConfigMaps by label, topics, and reaches Ready', async () => {
      const cluster = admin();
      const prefix = uniqueName('e2e-apply');
      const spec = streamSpec(prefix, { kafka: { ...streamSpec(prefix).kafka, dlqTopic: { name: `${prefix}-dlq`, partitions: 1 } } });
      const ns = await createNamespace(cluster, 'e2e-apply');
      const mon = await createNamespace(cluster, 'e2e-apply-mon');
      const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon });
      env = { cluster, ns, mon, operator, topic: `${prefix}-orders`, name: 'shop' };
      await cluster.create(cesStream(ns, 'shop', spec));

      const progressing = await waitForCondition(cluster, ns, 'shop', 'GatewayReady', 'False', 'DeploymentProgressing');
      assert.equal(progressing.metadata.finalizers?.includes('ces.io/finalizer'), true);
      for (const [apiVersion, kind, name] of [
        ['v1', 'ConfigMap', 'shop-gateway-config'],
        ['apps/v1', 'Deployment', 'shop-gateway'],
        ['v1', 'Service', 'shop-gateway'],
        ['policy/v1', 'PodDisruptionBudget', 'shop-gateway'],
      ] as const) {
        const child = await cluster.get({ apiVersion, kind, namespace: ns, name });
        assert.ok(child, `${kind} ${name} exists`);
        assert.deepEqual(child.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['CesStream', 'shop', progressing.metadata.uid, true]]);
        assert.equal(child.metadata.managedFields?.some((f) => f.manager === 'ces-operator' && f.operation === 'Apply'), true);
      }
      const grafana = await cluster.list('v1', 'ConfigMap', { namespace: mon, labelSelector: 'ces.io/stream-name=shop' });
      assert.deepEqual(grafana.map((c) => c.metadata.name).sort(), [`ces-${ns}-shop-alerts`, `ces-${ns}-shop-dashboards`]);
      assert.ok(grafana.every((c) => c.metadata.ownerReferences === undefined));

      await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'True', 'TopicsReconciled');
      assert.equal(await topicPartitions(`${prefix}-orders`), 2);
      assert.equal(await topicPartitions(`${prefix}-dlq`), 1);

      await markDeploymentReady(cluster, ns, 'shop-gateway');
      const ready = await waitForCondition(cluster, ns, 'shop', 'Ready', 'True', 'Reconciled');
      assert.equal(ready.status?.observedGeneration, ready.metadata.generation);
      assert.deepEqual(ready.status?.summary, { replicas: '1/1', topics: '2/2' });
      assert.equal(ready.status?.endpoint, `ws://shop-gateway.${ns}.svc:80/ws`);
      assert.equal(ready.status?.consumerGroup, `ces.${ns}.shop`);
      for (const type of ['GatewayReady', 'AutoscalingReady', 'AlertsReady', 'TopicsReady']) {
        assert.equal(ready.status?.conditions?.find((c) => c.type === type)?.status, 'True', type);
      }
      const events = await cluster.list('events.k8s.io/v1', 'Event', { namespace: ns });
      assert.ok(events.some((e) => e.reason === 'TopicsCreated'), 'a TopicsCreated event was recorded');
      // DLQ topic cleanup: the teardown deletes the main topic; this one goes here.
      await deleteTopic(`${prefix}-dlq`);
    });
  });

  describe('spec changes', () => {
    let env: Env | undefined;
    after(() => teardown(env));

    it('converge: partitions up, replicas, alert thresholds and ingress', async () => {
      env = await readyStream('e2e-change');
      const { cluster, ns, mon } = env;
      const current = (await getStream(cluster, ns, env.name))!;
      await patchSpec(cluster, env, {
        kafka: { ...current.spec.kafka, topics: [{ ...current.spec.kafka.topics[0], partitions: 4 }] },
        redis: { url: 'redis://redis.example:6379' },
        gateway: { replicas: 2, ingress: { host: 'events.example.com', tlsSecretName: 'events-tls' } },
        monitoring: { thresholds: { consumerLagRecords: 777 } },
      });
      await waitFor('topic expanded to 4 partitions', async () => (await topicPartitions(env!.topic)) === 4);
      await waitFor('Deployment scaled to 2', async () => {
        const d = await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-gateway' });
        return (d?.spec as { replicas?: number } | undefined)?.replicas === 2;
      });
      const ingress = await waitFor('Ingress', () => cluster.get({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: ns, name: 'shop-gateway' }));
      assert.equal((ingress.spec as { rules: { host: string }[] }).rules[0]?.host, 'events.example.com');
      await waitFor('alert threshold in the Grafana rules', async () => {
        const cm = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: mon, name: `ces-${ns}-shop-alerts` });
        return JSON.stringify(cm?.data ?? {}).includes('777');
      });
      await markDeploymentReady(cluster, ns, 'shop-gateway');
      const ready = await waitForCondition(cluster, ns, env.name, 'Ready', 'True');
      assert.equal(ready.status?.endpoint, 'wss://events.example.com/ws');
      assert.deepEqual(ready.status?.summary, { replicas: '2/2', topics: '1/1' });
    });

    it('are refused by CEL at admission when partitions would decrease or combinations are invalid', async () => {
      const { cluster, ns } = env!;
      const current = (await getStream(cluster, ns, env!.name))!;
      await assert.rejects(
        patchSpec(cluster, env!, { kafka: { ...current.spec.kafka, topics: [{ ...current.spec.kafka.topics[0], partitions: 1 }] } }),
        (err: unknown) => err instanceof KubeApiError && err.statusCode === 422 && /partitions may not decrease/.test(err.message),
      );
      const invalid: [string, Record<string, unknown>][] = [
        ['autoscaling.maxReplicas must be >= minReplicas', { gateway: { autoscaling: { minReplicas: 4, maxReplicas: 2 } }, redis: { url: 'redis://r:6379' } }],
        ['dlqTopic.name must differ', { kafka: { ...current.spec.kafka, dlqTopic: { name: current.spec.kafka.topics[0]!.name } } }],
        ['strimziCluster is required', { kafka: { ...current.spec.kafka, topicManagement: 'strimzi' } }],
        ['redis is required', { gateway: { replicas: 3 }, redis: null }],
        ['exactly one of redis.url and redis.urlSecretRef', { redis: { url: 'redis://r:6379', urlSecretRef: { name: 's' } } }],
      ];
      for (const [message, spec] of invalid) {
        await assert.rejects(patchSpec(cluster, env!, spec), (err: unknown) => err instanceof KubeApiError && err.statusCode === 422 && err.message.includes(message), message);
      }
      const rejected = (pattern: RegExp) => (err: unknown) => err instanceof KubeApiError && err.statusCode === 422 && pattern.test(err.message);
      const base = current.spec;
      const oneTopic = (name: string) => ({ ...base, kafka: { ...base.kafka, topics: [{ name, partitions: 1 }] } });
      await assert.rejects(cluster.create(cesStream(ns, 'a'.repeat(40), base)), rejected(/at most 39 characters/), 'name too long for child names');
      await assert.rejects(cluster.create(cesStream(ns, 'hostile', oneTopic('../../etc/passwd'))), rejected(/topics\[0\]\.name/), 'topic name pattern');
      await assert.rejects(cluster.create(cesStream(ns, 'huge', oneTopic('x'.repeat(250)))), rejected(/Too long/), 'topic name length');
      const many = Array.from({ length: 65 }, (_, i) => ({ name: `t${i}`, partitions: 1 }));
      await assert.rejects(cluster.create(cesStream(ns, 'many', { ...base, kafka: { ...base.kafka, topics: many } })), rejected(/Too many/), 'topics maxItems');
      await assert.rejects(cluster.create(cesStream(ns, 'nokafka', { gateway: base.gateway } as unknown as typeof base)), rejected(/spec\.kafka: Required/), 'kafka is required');
      await assert.rejects(
        cluster.create(cesStream(ns, 'dup', { ...current.spec, kafka: { ...current.spec.kafka, topics: [current.spec.kafka.topics[0]!, current.spec.kafka.topics[0]!] } })),
        (err: unknown) => err instanceof KubeApiError && err.statusCode === 422 && /Duplicate value/.test(err.message),
      );
    });
    it('refuses to shrink a topic that grew in Kafka behind its back, and recovers when the spec catches up', async () => {
      const { cluster, ns } = env!;
      await withTopicAdmin((a) => a.expand(env!.topic, 6));
      const refused = await waitForCondition(cluster, ns, env!.name, 'TopicsReady', 'False', 'PartitionShrinkRefused');
      assert.match(refused.status!.conditions!.find((c) => c.type === 'TopicsReady')!.message, /6 partitions, spec asks for 4/);
      assert.equal(await topicPartitions(env!.topic), 6, 'nothing was shrunk');
      const events = await cluster.list('events.k8s.io/v1', 'Event', { namespace: ns });
      assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'PartitionShrinkRefused'));

      const current = (await getStream(cluster, ns, env!.name))!;
      await patchSpec(cluster, env!, { kafka: { ...current.spec.kafka, topics: [{ ...current.spec.kafka.topics[0], partitions: 6 }] } });
      await waitForCondition(cluster, ns, env!.name, 'TopicsReady', 'True', 'TopicsReconciled');
    });
  });

  describe('drift and field ownership', () => {
    let env: Env | undefined;
    after(() => teardown(env));

    it('restores edited and deleted children while a foreign field manager keeps its fields', async () => {
      env = await readyStream('e2e-drift');
      const { cluster, ns } = env;
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-gateway' };
      await cluster.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ns, annotations: { 'example.com/team': 'payments' } } }, 'team-tool');
      const d = (await cluster.get(ref))!;
      const containers = (d.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;
      await cluster.mergePatch(ref, { spec: { template: { spec: { containers: [{ ...containers[0], image: 'evil/image:1' }] } } } });
      await waitFor('image restored', async () => {
        const now = await cluster.get(ref);
        return (now?.spec as typeof d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image === 'ghcr.io/ces/gateway:0.1.0';
      });
      assert.equal((await cluster.get(ref))?.metadata.annotations?.['example.com/team'], 'payments');

      await cluster.delete({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'shop-gateway' });
      await waitFor('Service recreated', () => cluster.get({ apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'shop-gateway' }));
    });

    it('leaves spec.replicas to the HPA when autoscaling is on, and prunes the HPA when it is off again', async () => {
      const { cluster, ns } = env!;
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-gateway' };
      await patchSpec(cluster, env!, { redis: { url: 'redis://redis.example:6379' }, gateway: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } });
      const hpa = await waitFor('HPA', () => cluster.get({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: ns, name: 'shop-gateway' }));
      assert.deepEqual([(hpa.spec as { minReplicas: number }).minReplicas, (hpa.spec as { maxReplicas: number }).maxReplicas], [2, 6]);
      await waitFor('ces-operator no longer owns spec.replicas', async () => {
        const d = await cluster.get(ref);
        const mine = d?.metadata.managedFields?.find((f) => f.manager === 'ces-operator' && f.operation === 'Apply');
        return mine !== undefined && !JSON.stringify(mine.fieldsV1).includes('"f:replicas"');
      });
      // Play the HPA: it sets replicas; the operator's later passes must not reset it.
      await cluster.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ns }, spec: { replicas: 5 } }, 'horizontal-pod-autoscaler');
      await markDeploymentReady(cluster, ns, 'shop-gateway');
      await waitForCondition(cluster, ns, env!.name, 'AutoscalingReady', 'True', 'HorizontalPodAutoscalerApplied');
      await waitForCondition(cluster, ns, env!.name, 'Ready', 'True');
      assert.equal(((await cluster.get(ref))?.spec as { replicas: number }).replicas, 5);

      await patchSpec(cluster, env!, { gateway: { autoscaling: null, replicas: 2 } });
      await waitFor('HPA pruned', async () => !(await cluster.get({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: ns, name: 'shop-gateway' })));
      await waitForCondition(cluster, ns, env!.name, 'AutoscalingReady', 'True', 'AutoscalingDisabled');
    });
  });

  describe('deletion', () => {
    let env: Env | undefined;
    after(() => teardown(env));

    it('runs the finalizer: removes cross-namespace ConfigMaps and (deletionPolicy Delete) the topics, then lets go', async () => {
      env = await readyStream('e2e-delete');
      const { cluster, ns, mon } = env;
      assert.equal((await cluster.list('v1', 'ConfigMap', { namespace: mon, labelSelector: 'ces.io/stream-name=shop' })).length, 2);
      await cluster.delete({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace: ns, name: env.name });
      await waitFor('CesStream gone', async () => (await getStream(cluster, ns, env!.name)) === undefined);
      assert.equal((await cluster.list('v1', 'ConfigMap', { namespace: mon, labelSelector: 'ces.io/stream-name=shop' })).length, 0);
      assert.equal(await topicPartitions(env.topic), undefined, 'the Kafka topic was deleted');
    });
  });
});

export type { CesStream };
