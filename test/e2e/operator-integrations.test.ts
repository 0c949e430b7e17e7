/**
 * Optional integrations, which the operator uses only when the API server serves their kinds:
 * Strimzi KafkaTopic (strimzi mode), prometheus-operator PrometheusRule and grafana-operator
 * GrafanaAlertRuleGroup. The test installs minimal stand-in CRDs for those kinds (same group,
 * version, kind and scope as upstream; schema left open) if they are not there yet, and never
 * removes them: other suites may run against the same API server. It plays the Strimzi topic
 * operator by setting the KafkaTopics' Ready condition.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../operator/src/runtime/cluster.ts';
import type { KubeCluster } from '../../operator/src/runtime/kube.ts';
import {
  cesStream,
  clusterFor,
  cleanupAfterSuite,
  createNamespace,
  deleteNamespaces,
  forceDeleteStream,
  installCrd,
  markDeploymentReady,
  skip,
  startTestOperator,
  streamSpec,
  waitFor,
  waitForCondition,
} from './operator-harness.ts';
import { uniqueName } from '../support/infra.ts';

const admin = () => clusterFor();

function standInCrd(group: string, version: string, kind: string, plural: string): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

async function ensureServed(cluster: KubeCluster, crd: KubeObject, apiVersion: string, kind: string): Promise<void> {
  if (await cluster.served(apiVersion, kind)) return;
  await cluster.create(crd).catch((err: unknown) => {
    if (!/409/.test((err as Error).message)) throw err;
  });
  await waitFor(`${kind} served`, () => cluster.served(apiVersion, kind));
}

describe('operator integrations: Strimzi, PrometheusRule, GrafanaAlertRuleGroup (real kube-apiserver)', { skip }, () => {
  const cleanup = cleanupAfterSuite();
  before(async () => {
    const cluster = admin();
    await installCrd(cluster);
    await ensureServed(cluster, standInCrd('kafka.strimzi.io', 'v1', 'KafkaTopic', 'kafkatopics'), 'kafka.strimzi.io/v1', 'KafkaTopic');
    await ensureServed(cluster, standInCrd('monitoring.coreos.com', 'v1', 'PrometheusRule', 'prometheusrules'), 'monitoring.coreos.com/v1', 'PrometheusRule');
    await ensureServed(cluster, standInCrd('grafana.integreatly.org', 'v1beta1', 'GrafanaAlertRuleGroup', 'grafanaalertrulegroups'), 'grafana.integreatly.org/v1beta1', 'GrafanaAlertRuleGroup');
  });

  it('emits KafkaTopics in strimzi mode, reports their readiness, applies both rule kinds, and the finalizer deletes the KafkaTopics', async () => {
    const cluster = admin();
    const ns = await createNamespace(cluster, 'e2e-strimzi');
    const kafkaNs = await createNamespace(cluster, 'e2e-strimzi-kafka');
    const mon = await createNamespace(cluster, 'e2e-strimzi-mon');
    cleanup(() => deleteNamespaces(cluster, [ns, kafkaNs, mon]), () => forceDeleteStream(cluster, ns, 'shop'));
    const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon });
    cleanup(() => operator.stop());

    const prefix = uniqueName('e2e-strimzi');
    const base = streamSpec(prefix);
    await cluster.create(
      cesStream(ns, 'shop', {
        ...base,
        kafka: { ...base.kafka, bootstrapServers: ['kafka.invalid:9092'], topicManagement: 'strimzi', strimziCluster: 'main', strimziNamespace: kafkaNs },
        monitoring: { dashboards: true, alerts: true, ruleLabels: { release: 'kps' } },
      }),
    );
    const pending = await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'False', 'KafkaTopicsNotReady');
    assert.match(pending.status!.conditions!.find((c) => c.type === 'TopicsReady')!.message, new RegExp(`${prefix}-orders`));
    const topics = await cluster.list('kafka.strimzi.io/v1', 'KafkaTopic', { namespace: kafkaNs, labelSelector: 'ces.io/stream-name=shop' });
    assert.equal(topics.length, 1);
    const topic = topics[0]!;
    assert.equal(topic.metadata.labels?.['strimzi.io/cluster'], 'main');
    assert.deepEqual(topic.spec, { topicName: `${prefix}-orders`, partitions: 2, config: { 'retention.ms': '3600000' } });
    assert.equal(topic.metadata.ownerReferences, undefined);

    // Play the Strimzi topic operator.
    await cluster.patchStatus({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', namespace: kafkaNs, name: topic.metadata.name }, {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
    });
    await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'True', 'KafkaTopicsApplied');

    const rule = await cluster.get({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', namespace: ns, name: 'shop-alerts' });
    assert.equal(rule?.metadata.labels?.release, 'kps');
    assert.equal(rule?.metadata.ownerReferences?.[0]?.kind, 'CesStream');
    const group = await cluster.get({ apiVersion: 'grafana.integreatly.org/v1beta1', kind: 'GrafanaAlertRuleGroup', namespace: ns, name: 'shop-alerts' });
    assert.ok((group?.spec as { rules: unknown[] }).rules.length > 0);
    await markDeploymentReady(cluster, ns, 'shop-gateway');
    const ready = await waitForCondition(cluster, ns, 'shop', 'Ready', 'True');
    assert.match(ready.status!.conditions!.find((c) => c.type === 'AlertsReady')!.message, /PrometheusRule .*GrafanaAlertRuleGroup/);

    await cluster.delete({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace: ns, name: 'shop' });
    await waitFor('CesStream gone', async () => !(await cluster.get({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace: ns, name: 'shop' })));
    assert.deepEqual(await cluster.list('kafka.strimzi.io/v1', 'KafkaTopic', { namespace: kafkaNs }), [], 'deletionPolicy Delete removed the KafkaTopics');
  });
});
