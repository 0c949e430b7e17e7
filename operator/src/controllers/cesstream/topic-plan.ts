/**
 * Pure topic planning: desired topics from the spec, compared with what Kafka reports, give the
 * admin operations to run and the per-topic state to report. Rules (Strimzi's): partitions only
 * grow; a smaller request is refused and reported, never applied; the replication factor is set
 * at creation only; `config` is the complete set of topic-level overrides (keys removed from the
 * spec revert to the broker default). `verify` mode plans no operations.
 */
import type { CesStream, TopicManagement, TopicStatus } from '@ces/contracts/crd/v1alpha1';

export interface DesiredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config: Readonly<Record<string, string>>;
}

/** What Kafka holds for one topic; `config` holds only topic-level overrides. */
export interface ObservedTopic {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export type TopicAction =
  | { readonly op: 'create'; readonly topic: DesiredTopic }
  | { readonly op: 'expand'; readonly name: string; readonly partitions: number }
  | { readonly op: 'config'; readonly name: string; readonly config: Readonly<Record<string, string>> };

export interface TopicPlan {
  readonly actions: TopicAction[];
  /** Per-topic state once every action succeeded. */
  readonly topics: TopicStatus[];
}

export function desiredTopics(cr: CesStream): DesiredTopic[] {
  const { topics, inboundTopic, dlqTopic } = cr.spec.kafka;
  const all = [...topics, ...(inboundTopic ? [inboundTopic] : []), ...(dlqTopic ? [dlqTopic] : [])];
  return all.map((t) => ({
    name: t.name,
    partitions: t.partitions ?? 6,
    ...(t.replicationFactor === undefined ? {} : { replicationFactor: t.replicationFactor }),
    config: { ...t.config },
  }));
}

export function planTopics(desired: readonly DesiredTopic[], observed: ReadonlyMap<string, ObservedTopic>, mode: TopicManagement): TopicPlan {
  const actions: TopicAction[] = [];
  const topics: TopicStatus[] = [];
  const apply = mode === 'create';
  for (const want of desired) {
    const have = observed.get(want.name);
    if (!have) {
      if (apply) {
        actions.push({ op: 'create', topic: want });
        topics.push({ name: want.name, state: 'Ready', partitions: want.partitions });
      } else topics.push({ name: want.name, state: 'Missing', message: 'Topic does not exist in Kafka' });
      continue;
    }
    if (have.partitions > want.partitions) {
      topics.push({
        name: want.name,
        state: apply ? 'ShrinkRefused' : 'Mismatch',
        partitions: have.partitions,
        message: `Topic has ${have.partitions} partitions, spec asks for ${want.partitions}: Kafka cannot remove partitions`,
      });
      continue;
    }
    const configDiff = diffConfig(want.config, have.config);
    if (!apply) {
      const problems = [
        ...(have.partitions < want.partitions ? [`has ${have.partitions} partitions, spec asks for ${want.partitions}`] : []),
        ...(configDiff.length > 0 ? [`config differs: ${configDiff.join(', ')}`] : []),
      ];
      topics.push(
        problems.length > 0
          ? { name: want.name, state: 'Mismatch', partitions: have.partitions, message: `Topic ${problems.join('; ')}` }
          : { name: want.name, state: 'Ready', partitions: have.partitions },
      );
      continue;
    }
    if (have.partitions < want.partitions) actions.push({ op: 'expand', name: want.name, partitions: want.partitions });
    if (configDiff.length > 0) actions.push({ op: 'config', name: want.name, config: want.config });
    topics.push({ name: want.name, state: 'Ready', partitions: want.partitions });
  }
  return { actions, topics };
}

/** Keys whose override differs (added, changed or removed), sorted. */
export function diffConfig(want: Readonly<Record<string, string>>, have: Readonly<Record<string, string>>): string[] {
  const keys = new Set([...Object.keys(want), ...Object.keys(have)]);
  return [...keys].filter((k) => want[k] !== have[k]).sort();
}
