/**
 * Kafka helpers for tests.
 *
 * Why `createTopicsAndWait` exists: with a KRaft broker, CreateTopics answers once the controller
 * committed the topic, but the broker's metadata cache applies it a moment later. kafkajs'
 * `createTopics({ waitForLeaders: true })` then sometimes gets UNKNOWN_TOPIC_OR_PARTITION from its
 * metadata probe and gives up instead of retrying ("This server does not host this
 * topic-partition") — more often on a loaded machine. This helper creates without that probe and
 * polls metadata itself until every partition has a leader.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { waitUntil } from '../infra/procs.ts';

/**
 * Creates the topics and resolves once every partition of each has a leader. Returns false when
 * (all of) the topics already existed, like kafkajs.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  await waitUntil(
    `leaders for ${names.join(', ')}`,
    async () => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      return (
        found.length === names.length &&
        found.every((t) => {
          const wanted = topics.find((c) => c.topic === t.name)?.numPartitions ?? 1;
          return t.partitions.length >= wanted && t.partitions.every((p) => p.leader >= 0);
        })
      );
    },
    { timeoutMs, intervalMs: 50 },
  );
  return created;
}
