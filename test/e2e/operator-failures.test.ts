/**
 * Failure behaviour of the operator against the real API server and Kafka: Kafka unreachable
 * then back (no spec change: the operator polls and recovers on its own), API errors retried
 * with backoff until they clear, and Lease leader election between two in-process replicas.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { uniqueName } from '../support/infra.ts';
import type { RunningOperator } from '../../operator/src/operator.ts';
import {
  cesStream,
  clusterFor,
  cleanupAfterSuite,
  createNamespace,
  deleteNamespaces,
  deleteTopic,
  forceDeleteStream,
  installCrd,
  kafka,
  markDeploymentReady,
  skip,
  startTestOperator,
  streamSpec,
  waitFor,
  waitForCondition,
} from './operator-harness.ts';

const admin = () => clusterFor();

/** A port that refuses connections until `open()` forwards it to the real broker. */
async function kafkaProxy(): Promise<{ port: number; open(): Promise<void>; close(): Promise<void> }> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const [host, upstreamPort] = kafka.value!.brokers[0]!.split(':');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(upstreamPort), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    port,
    open: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function metricsText(operator: RunningOperator): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${operator.port}/metrics`);
  return res.text();
}

describe('operator failure handling (real kube-apiserver, real Kafka)', { skip }, () => {
  before(async () => installCrd(admin()));

  it('reports TopicsReady=False KafkaUnavailable while Kafka is unreachable and recovers on its own', async () => {
    const cluster = admin();
    const ns = await createNamespace(cluster, 'e2e-kafkadown');
    const mon = await createNamespace(cluster, 'e2e-kafkadown-mon');
    const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon });
    const proxy = await kafkaProxy();
    const prefix = uniqueName('e2e-kafkadown');
    const spec = streamSpec(prefix);
    try {
      await cluster.create(cesStream(ns, 'shop', { ...spec, kafka: { ...spec.kafka, bootstrapServers: [`127.0.0.1:${proxy.port}`] } }));
      const down = await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'False', 'KafkaUnavailable');
      assert.match(down.status!.conditions!.find((c) => c.type === 'TopicsReady')!.message, new RegExp(`127.0.0.1:${proxy.port}`));
      assert.equal(down.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
      // The fleet does not wait for Kafka: its objects are applied regardless.
      assert.ok(await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-gateway' }));

      await proxy.open();
      await waitForCondition(cluster, ns, 'shop', 'TopicsReady', 'True', 'TopicsReconciled');
      await markDeploymentReady(cluster, ns, 'shop-gateway');
      await waitForCondition(cluster, ns, 'shop', 'Ready', 'True');
    } finally {
      await forceDeleteStream(cluster, ns, 'shop');
      await operator.stop();
      await proxy.close();
      await deleteTopic(`${prefix}-orders`);
      await deleteNamespaces(cluster, [ns, mon]);
    }
  });

  it('retries failing API calls with backoff until they succeed, and reports them meanwhile', async () => {
    const cluster = admin();
    const ns = await createNamespace(cluster, 'e2e-apierr');
    // The monitoring namespace does not exist yet: applying the Grafana ConfigMaps fails (404).
    const mon = uniqueName('e2e-apierr-mon').slice(0, 63);
    const operator = await startTestOperator({ namespace: ns, monitoringNamespace: mon });
    const prefix = uniqueName('e2e-apierr');
    try {
      await cluster.create(cesStream(ns, 'shop', streamSpec(prefix)));
      const failing = await waitForCondition(cluster, ns, 'shop', 'Ready', 'False', 'ReconcileFailed');
      assert.match(failing.status!.conditions!.find((c) => c.type === 'Ready')!.message, /^apply: .*404/);
      await waitFor('a retry counted in /metrics', async () => /ces_operator_queue_retries_total [1-9]/.test(await metricsText(operator)));

      await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: mon } });
      await waitForCondition(cluster, ns, 'shop', 'AlertsReady', 'True', 'AlertsProvisioned');
      await markDeploymentReady(cluster, ns, 'shop-gateway');
      const ready = await waitForCondition(cluster, ns, 'shop', 'Ready', 'True');
      assert.equal(ready.status?.observedGeneration, ready.metadata.generation);
      // The pass that wrote Ready counts itself just after its status write: poll, do not race it.
      await waitFor('a successful pass counted in /metrics', async () => /ces_operator_reconcile_total\{result="success"\} [1-9]/.test(await metricsText(operator)));
      assert.match(await metricsText(operator), /ces_operator_reconcile_errors_total\{phase="apply"\} [1-9]/);
      assert.equal((await fetch(`http://127.0.0.1:${operator.port}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${operator.port}/healthz`)).status, 200);
    } finally {
      await forceDeleteStream(cluster, ns, 'shop');
      await operator.stop();
      await deleteTopic(`${prefix}-orders`);
      await deleteNamespaces(cluster, [ns, mon]);
    }
  });

  describe('leader election', () => {
    const cleanup = cleanupAfterSuite();

    it('lets exactly one of two replicas reconcile, and hands over when the leader stops', async () => {
      const cluster = admin();
      const ns = await createNamespace(cluster, 'e2e-leader');
      const mon = await createNamespace(cluster, 'e2e-leader-mon');
      const prefix = uniqueName('e2e-leader');
      cleanup(() => deleteNamespaces(cluster, [ns, mon]), () => deleteTopic(`${prefix}-orders`), () => forceDeleteStream(cluster, ns, 'shop'));
      const a = await startTestOperator({ namespace: ns, monitoringNamespace: mon, identity: 'replica-a' });
      const b = await startTestOperator({ namespace: ns, monitoringNamespace: mon, identity: 'replica-b' });
      cleanup(() => a.stop(), () => b.stop());

      const leader = await waitFor('a leader', async () => (a.isLeader() ? a : b.isLeader() ? b : undefined));
      const standby = leader === a ? b : a;
      const lease = await cluster.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: ns, name: 'ces-operator-leader' });
      assert.equal((lease?.spec as { holderIdentity: string }).holderIdentity, leader === a ? 'replica-a' : 'replica-b');
      assert.equal(standby.isLeader(), false);
      assert.match(await metricsText(standby), /ces_operator_leader 0/);
      assert.equal((await fetch(`http://127.0.0.1:${standby.port}/readyz`)).status, 200, 'a standby is ready');

      await cluster.create(cesStream(ns, 'shop', streamSpec(prefix)));
      await markDeploymentReady(cluster, ns, 'shop-gateway');
      await waitForCondition(cluster, ns, 'shop', 'Ready', 'True');
      assert.equal(standby.isLeader(), false, 'never two leaders');

      await leader.stop();
      await waitFor('the standby takes over', async () => standby.isLeader());
      await cluster.mergePatch({ apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', namespace: ns, name: 'shop' }, { spec: { monitoring: { thresholds: { consumerLagRecords: 31337 } } } });
      await waitFor('the new leader reconciles the change', async () => {
        const cm = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: mon, name: `ces-${ns}-shop-alerts` });
        return JSON.stringify(cm?.data ?? {}).includes('31337');
      });
    });
  });
});
