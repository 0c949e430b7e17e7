/** Topic administration for development and tests (production topics are the operator's job). */
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/** Creates the topics that do not exist yet and waits until they have leaders. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
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
