import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CesStreamStatus, Condition } from '@ces/contracts/crd/v1alpha1';
import { computeStatus } from './status.ts';
import type { Observed } from './status.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';

const healthy: Observed = {
  generation: 3,
  autoscaling: false,
  deployment: { desired: 2, ready: 2, updated: 2, current: true },
  topics: { topics: [{ name: 'orders', state: 'Ready', partitions: 6 }], performed: [] },
  topicMode: 'create',
  topicCount: 1,
  monitoring: { enabled: true, provisioned: ['ConfigMap monitoring/x'] },
  endpoint: 'ws://shop-gateway.team-a.svc:80/ws',
  consumerGroup: 'ces.team-a.shop',
};

function cond(status: CesStreamStatus, type: string): Condition {
  const c = status.conditions?.find((x) => x.type === type);
  assert.ok(c, `condition ${type} present`);
  return c;
}

describe('computeStatus', () => {
  const table: { name: string; observed: Partial<Observed>; expect: Record<string, [string, string]> }[] = [
    {
      name: 'everything converged → Ready=True Reconciled',
      observed: {},
      expect: { Ready: ['True', 'Reconciled'], TopicsReady: ['True', 'TopicsReconciled'], GatewayReady: ['True', 'DeploymentAvailable'], AutoscalingReady: ['True', 'AutoscalingDisabled'], AlertsReady: ['True', 'AlertsProvisioned'] },
    },
    {
      name: 'pods not ready yet → GatewayReady=False Progressing and Ready follows it',
      observed: { deployment: { desired: 3, ready: 1, updated: 3, current: true } },
      expect: { Ready: ['False', 'DeploymentProgressing'], GatewayReady: ['False', 'DeploymentProgressing'] },
    },
    {
      name: 'deployment status not yet observed for this generation → Progressing',
      observed: { deployment: { desired: 2, ready: 2, updated: 2, current: false } },
      expect: { GatewayReady: ['False', 'DeploymentProgressing'] },
    },
    {
      name: 'Kafka unreachable → TopicsReady=False KafkaUnavailable, gateway unaffected',
      observed: { topics: { topics: [], performed: [], failure: { reason: 'KafkaUnavailable', message: 'ECONNREFUSED' } } },
      expect: { Ready: ['False', 'KafkaUnavailable'], TopicsReady: ['False', 'KafkaUnavailable'], GatewayReady: ['True', 'DeploymentAvailable'] },
    },
    {
      name: 'partition shrink requested → TopicsReady=False PartitionShrinkRefused',
      observed: { topics: { topics: [{ name: 'orders', state: 'ShrinkRefused', partitions: 6, message: 'no' }], performed: [] } },
      expect: { TopicsReady: ['False', 'PartitionShrinkRefused'], Ready: ['False', 'PartitionShrinkRefused'] },
    },
    {
      name: 'verify mode with a missing topic → TopicsMissing',
      observed: { topicMode: 'verify', topics: { topics: [{ name: 'orders', state: 'Missing' }], performed: [] } },
      expect: { TopicsReady: ['False', 'TopicsMissing'] },
    },
    {
      name: 'verify mode all present → TopicsVerified',
      observed: { topicMode: 'verify' },
      expect: { TopicsReady: ['True', 'TopicsVerified'], Ready: ['True', 'Reconciled'] },
    },
    {
      name: 'strimzi mode → KafkaTopicsApplied',
      observed: { topicMode: 'strimzi' },
      expect: { TopicsReady: ['True', 'KafkaTopicsApplied'] },
    },
    {
      name: 'autoscaling on with an HPA → HorizontalPodAutoscalerApplied',
      observed: { autoscaling: true, hpa: { minReplicas: 2, maxReplicas: 5, conditions: [] } },
      expect: { AutoscalingReady: ['True', 'HorizontalPodAutoscalerApplied'] },
    },
    {
      name: 'HPA unable to fetch its metric → HorizontalPodAutoscalerUnable',
      observed: { autoscaling: true, hpa: { minReplicas: 2, maxReplicas: 5, conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric' }] } },
      expect: { AutoscalingReady: ['False', 'HorizontalPodAutoscalerUnable'], Ready: ['False', 'HorizontalPodAutoscalerUnable'] },
    },
    {
      name: 'monitoring disabled → AlertsReady=True MonitoringDisabled',
      observed: { monitoring: { enabled: false, provisioned: [] } },
      expect: { AlertsReady: ['True', 'MonitoringDisabled'] },
    },
    {
      name: 'apply failed → ReconcileFailed, fleet conditions ApplyFailed, topics unknown',
      observed: { error: { phase: 'apply', message: 'forbidden', terminal: false }, deployment: undefined, topics: undefined },
      expect: { Ready: ['False', 'ReconcileFailed'], GatewayReady: ['False', 'ApplyFailed'], TopicsReady: ['Unknown', 'Pending'] },
    },
    {
      name: 'invalid spec → Ready=False InvalidSpec',
      observed: { error: { phase: 'render', message: 'bad schema', terminal: true }, deployment: undefined, topics: undefined },
      expect: { Ready: ['False', 'InvalidSpec'] },
    },
    {
      name: 'deleting → Ready=False Deleting',
      observed: { deleting: true, deployment: undefined, topics: undefined },
      expect: { Ready: ['False', 'Deleting'] },
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const status = computeStatus(undefined, { ...healthy, ...row.observed }, T0);
      for (const [type, [s, reason]] of Object.entries(row.expect)) {
        const c = cond(status, type);
        assert.deepEqual([c.status, c.reason], [s, reason], type);
        assert.equal(c.observedGeneration, 3);
      }
    });
  }

  it('writes all five conditions on the first visit', () => {
    const status = computeStatus(undefined, healthy, T0);
    assert.deepEqual(status.conditions?.map((c) => c.type), ['Ready', 'TopicsReady', 'GatewayReady', 'AutoscalingReady', 'AlertsReady']);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and moves it on a flip', () => {
    const first = computeStatus(undefined, healthy, T0);
    const same = computeStatus(first, { ...healthy, generation: 4 }, T1);
    assert.equal(cond(same, 'Ready').lastTransitionTime, T0);
    const flipped = computeStatus(first, { ...healthy, deployment: { desired: 2, ready: 0, updated: 2, current: true } }, T1);
    assert.equal(cond(flipped, 'GatewayReady').lastTransitionTime, T1);
    assert.equal(cond(flipped, 'TopicsReady').lastTransitionTime, T0);
  });

  it('advances observedGeneration only on a pass without error', () => {
    const ok = computeStatus(undefined, healthy, T0);
    assert.equal(ok.observedGeneration, 3);
    const failed = computeStatus(ok, { ...healthy, generation: 4, error: { phase: 'apply', message: 'x', terminal: false } }, T1);
    assert.equal(failed.observedGeneration, 3);
  });

  it('keeps the previous topic condition and per-topic state when the topic step did not run', () => {
    const ok = computeStatus(undefined, healthy, T0);
    const later = computeStatus(ok, { ...healthy, topics: undefined, error: { phase: 'prune', message: 'x', terminal: false } }, T1);
    assert.deepEqual(cond(later, 'TopicsReady').reason, 'TopicsReconciled');
    assert.deepEqual(later.topics, ok.topics);
  });

  it('summarises replicas and topics for the printer columns', () => {
    const status = computeStatus(undefined, { ...healthy, deployment: { desired: 3, ready: 1, updated: 3, current: true }, topicCount: 2 }, T0);
    assert.deepEqual(status.summary, { replicas: '1/3', topics: '1/2' });
    assert.equal(status.endpoint, healthy.endpoint);
  });
});
