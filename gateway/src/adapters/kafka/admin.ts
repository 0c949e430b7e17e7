/** Topic administration for development and tests (production topics are the operator's job). */
import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/**
 * Creates the topics that do not exist yet and waits until every partition has a leader.
 *
 * Not `createTopics({ waitForLeaders: true })`: with a KRaft broker the controller answers before
 * the broker's metadata cache has the topic, and kafkajs' leader probe then sometimes fails with
 * UNKNOWN_TOPIC_OR_PARTITION instead of retrying (more often on a loaded machine). This creates
 * without the probe and polls metadata itself until the leaders are there.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: false, topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor: 1 })) });
    await waitForLeaders(admin, topics, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

/** Polls topic metadata until each topic has at least its partitions, all with a leader. */
export async function waitForLeaders(admin: Admin, topics: readonly TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const names = topics.map((t) => t.topic);
  if (names.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      const ready =
        found.length === names.length &&
        found.every((t) => {
          const wanted = topics.find((c) => c.topic === t.name)?.numPartitions ?? 1;
          return t.partitions.length >= wanted && t.partitions.every((p) => p.leader >= 0);
        });
      if (ready) return;
      last = undefined;
    } catch (err) {
      // UNKNOWN_TOPIC_OR_PARTITION and friends while the metadata propagates: retry.
      last = err;
    }
    if (Date.now() + delay > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`topics ${names.join(', ')} have no leaders after ${timeoutMs} ms${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } catch {
    // best effort cleanup
  } finally {
    await admin.disconnect();
  }
}

export async function deleteGroups(kafka: Kafka, groups: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([...groups]);
  } catch {
    // best effort cleanup
  } finally {
    await admin.disconnect();
  }
}
