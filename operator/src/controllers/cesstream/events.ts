/**
 * Kubernetes Events for notable transitions, derived (purely) from the status before and after a
 * pass and from the topic operations that ran. Condition flips are Normal when they become True
 * and Warning otherwise; messages follow Kubernetes style (capitalized, no trailing period).
 */
import type { CesStreamStatus } from '@ces/contracts/crd/v1alpha1';
import type { TopicAction } from './topic-plan.ts';

export interface EventSpec {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly action: string;
}

export function transitionEvents(before: CesStreamStatus | undefined, after: CesStreamStatus, performed: readonly TopicAction[]): EventSpec[] {
  const events: EventSpec[] = [];
  const created = performed.filter((a) => a.op === 'create').map((a) => (a.op === 'create' ? a.topic.name : ''));
  if (created.length > 0) events.push({ type: 'Normal', reason: 'TopicsCreated', message: `Created Kafka topics ${created.join(', ')}`, action: 'CreateTopics' });
  for (const a of performed) {
    if (a.op === 'expand') events.push({ type: 'Normal', reason: 'PartitionsExpanded', message: `Expanded topic ${a.name} to ${a.partitions} partitions`, action: 'CreatePartitions' });
    if (a.op === 'config') events.push({ type: 'Normal', reason: 'TopicConfigUpdated', message: `Updated config of topic ${a.name}`, action: 'AlterConfigs' });
  }
  for (const next of after.conditions ?? []) {
    const prev = before?.conditions?.find((c) => c.type === next.type);
    if (prev && prev.status === next.status && prev.reason === next.reason) continue;
    if (!prev && next.status === 'Unknown') continue;
    events.push({
      type: next.status === 'True' ? 'Normal' : 'Warning',
      reason: next.reason,
      message: `${next.type} is ${next.status}: ${next.message}`.slice(0, 1000),
      action: 'Reconcile',
    });
  }
  return events;
}
