import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CesStreamStatus, Condition } from '@ces/contracts/crd/v1alpha1';
import { transitionEvents } from './events.ts';

const c = (type: Condition['type'], status: Condition['status'], reason: string): Condition => ({ type, status, reason, message: `${reason} detail`, lastTransitionTime: 'T' });
const status = (...conditions: Condition[]): CesStreamStatus => ({ conditions });

describe('transitionEvents', () => {
  it('records nothing when no condition changed and no topic operation ran', () => {
    const s = status(c('Ready', 'True', 'Reconciled'));
    assert.deepEqual(transitionEvents(s, s, []), []);
  });

  it('records a Normal event when a condition becomes True and a Warning when it turns False', () => {
    const events = transitionEvents(
      status(c('Ready', 'False', 'DeploymentProgressing'), c('TopicsReady', 'True', 'TopicsReconciled')),
      status(c('Ready', 'True', 'Reconciled'), c('TopicsReady', 'False', 'KafkaUnavailable')),
      [],
    );
    assert.deepEqual(events.map((e) => [e.type, e.reason]), [['Normal', 'Reconciled'], ['Warning', 'KafkaUnavailable']]);
    assert.match(events[1]!.message, /^TopicsReady is False: KafkaUnavailable detail/);
  });

  it('records a reason change even when the status stays False', () => {
    const events = transitionEvents(status(c('TopicsReady', 'False', 'KafkaUnavailable')), status(c('TopicsReady', 'False', 'PartitionShrinkRefused')), []);
    assert.deepEqual(events.map((e) => e.reason), ['PartitionShrinkRefused']);
  });

  it('skips first-visit Unknown conditions', () => {
    assert.deepEqual(transitionEvents(undefined, status(c('TopicsReady', 'Unknown', 'Pending')), []), []);
  });

  it('records topic operations', () => {
    const events = transitionEvents(undefined, status(), [
      { op: 'create', topic: { name: 'a', partitions: 1, config: {} } },
      { op: 'create', topic: { name: 'b', partitions: 1, config: {} } },
      { op: 'expand', name: 'c', partitions: 4 },
      { op: 'config', name: 'c', config: {} },
    ]);
    assert.deepEqual(events.map((e) => [e.reason, e.message]), [
      ['TopicsCreated', 'Created Kafka topics a, b'],
      ['PartitionsExpanded', 'Expanded topic c to 4 partitions'],
      ['TopicConfigUpdated', 'Updated config of topic c'],
    ]);
  });
});
