/**
 * Proves the test Kafka is a real broker: topics with partitions, keyed produce, a consumer group
 * reading everything back with the partitions the producer was told, and test-friendly settings.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { needs, uniqueName } from '../support/infra.ts';
import { createTopicsAndWait } from '../support/kafka.ts';

const kafka = needs('kafka');

describe('real Kafka (KRaft, single node)', { skip: kafka.skip }, () => {
  let client: Kafka;
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const topics: string[] = [];

  before(async () => {
    client = new Kafka({ clientId: uniqueName('infra-test'), brokers: kafka.value!.brokers, logLevel: logLevel.NOTHING });
    admin = client.admin();
    producer = client.producer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
    await Promise.all([admin.connect(), producer.connect()]);
  });

  after(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    if (topics.length) await admin.deleteTopics({ topics });
    await Promise.all([producer.disconnect(), admin.disconnect()]);
  });

  it('creates a topic with 3 partitions, and a consumer group reads every keyed record back on its partition', async () => {
    const topic = uniqueName('infra-keyed');
    topics.push(topic);
    assert.equal(await createTopicsAndWait(admin, [{ topic, numPartitions: 3 }]), true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0]?.partitions.length, 3);

    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `key-${i % 12}`, value: `value-${i}` }));
    const sent = new Map<string, number>(); // value -> partition the broker assigned
    for (const m of messages) {
      const [meta] = await producer.send({ topic, messages: [m], acks: -1 });
      sent.set(m.value, meta!.partition);
    }
    // Keyed partitioning: one key, one partition; 12 keys spread over all 3 partitions.
    const partitionOfKey = new Map<string, Set<number>>();
    for (const m of messages) partitionOfKey.set(m.key, (partitionOfKey.get(m.key) ?? new Set()).add(sent.get(m.value)!));
    for (const [key, parts] of partitionOfKey) assert.equal(parts.size, 1, `key ${key} landed on ${[...parts]}`);
    assert.deepEqual(new Set(sent.values()), new Set([0, 1, 2]));

    const received = await consumeAll(topic, messages.length);
    assert.deepEqual(
      received.map((r) => `${r.value}@${r.partition}/${r.key}`).sort(),
      messages.map((m) => `${m.value}@${sent.get(m.value)}/${m.key}`).sort(),
    );
    // Per partition, records arrive in the order they were produced.
    for (const p of [0, 1, 2]) {
      const order = (list: { value: string; partition: number }[]) => list.filter((r) => r.partition === p).map((r) => r.value);
      const producedOrder = order(messages.map((m) => ({ value: m.value, partition: sent.get(m.value)! })));
      assert.deepEqual(order(received), producedOrder);
    }
  });

  it('does not auto-create topics: producing to an unknown topic fails instead of inventing it', async () => {
    const topic = uniqueName('infra-missing');
    const strict = client.producer({ allowAutoTopicCreation: true, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 } });
    await strict.connect();
    try {
      await assert.rejects(strict.send({ topic, messages: [{ value: 'x' }] }));
    } finally {
      await strict.disconnect();
    }
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  it('refuses a topic that already exists and a topic name Kafka forbids', async () => {
    const topic = uniqueName('infra-dup');
    topics.push(topic);
    assert.equal(await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]), true);
    assert.equal(await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]), false);
    await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad/name with spaces', numPartitions: 1 }] }));
  });

  async function consumeAll(topic: string, count: number) {
    const consumer = client.consumer({ groupId: uniqueName('infra-group'), sessionTimeout: 6000, heartbeatInterval: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string; partition: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ key: message.key!.toString(), value: message.value!.toString(), partition });
            if (received.length === count) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.stop();
    return received;
  }
});
