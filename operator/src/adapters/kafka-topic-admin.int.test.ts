/**
 * The kafkajs TopicAdmin and the topic reconcile step against the real Kafka from test/infra.
 * Every test uses its own topic names and deletes them afterwards.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { needs, uniqueName } from '../../../test/support/infra.ts';
import { kafkaTopicAdminFactory } from './kafka-topic-admin.ts';
import { TopicAdminError } from '../ports/topic-admin.ts';
import { reconcileTopics } from '../controllers/cesstream/topics.ts';
import { sampleStream } from '../testing/sample.ts';
import type { Cluster } from '../runtime/cluster.ts';

const kafka = needs('kafka');
const timeouts = { connectionTimeoutMs: 1000, requestTimeoutMs: 5000, retries: 1 };
const factory = kafkaTopicAdminFactory(timeouts);
/** The topic step reads Secrets only with authSecretRef; these specs have none. */
const noCluster = {} as Cluster;

describe('Kafka topic admin (real Kafka)', { skip: kafka.skip }, () => {
  const brokers = kafka.value?.brokers ?? [];
  const created: string[] = [];
  after(async () => {
    const admin = await factory({ brokers, ssl: false });
    try {
      await admin.delete(created);
    } finally {
      await admin.close();
    }
  });

  function stream(topics: { name: string; partitions: number; config?: Record<string, string> }[], mode: 'create' | 'verify' = 'create') {
    created.push(...topics.map((t) => t.name));
    return sampleStream({ spec: { kafka: { bootstrapServers: brokers, topicManagement: mode, topics, dlqTopic: undefined } } });
  }

  it('creates topics with partitions and config, then reports them Ready', async () => {
    const name = uniqueName('op-create');
    const outcome = await reconcileTopics(stream([{ name, partitions: 3, config: { 'retention.ms': '3600000' } }]), { cluster: noCluster, adminFactory: factory });
    assert.equal(outcome.failure, undefined);
    assert.deepEqual(outcome.topics, [{ name, state: 'Ready', partitions: 3 }]);
    const admin = await factory({ brokers, ssl: false });
    const observed = (await admin.describe([name])).get(name);
    await admin.close();
    assert.equal(observed?.partitions, 3);
    assert.equal(observed?.config['retention.ms'], '3600000');
  });

  it('expands partitions, reconciles config (removed keys revert), and refuses to shrink', async () => {
    const name = uniqueName('op-expand');
    await reconcileTopics(stream([{ name, partitions: 2, config: { 'retention.ms': '3600000', 'max.message.bytes': '2000000' } }]), { cluster: noCluster, adminFactory: factory });
    const grown = await reconcileTopics(stream([{ name, partitions: 4, config: { 'retention.ms': '7200000' } }]), { cluster: noCluster, adminFactory: factory });
    assert.deepEqual(grown.performed.map((a) => a.op), ['expand', 'config']);
    const admin = await factory({ brokers, ssl: false });
    const observed = (await admin.describe([name])).get(name);
    await admin.close();
    assert.equal(observed?.partitions, 4);
    assert.deepEqual(observed?.config, { 'retention.ms': '7200000' });

    const shrink = await reconcileTopics(stream([{ name, partitions: 1, config: { 'retention.ms': '7200000' } }]), { cluster: noCluster, adminFactory: factory });
    assert.equal(shrink.topics[0]?.state, 'ShrinkRefused');
    assert.deepEqual(shrink.performed, []);
  });

  it('verify mode reports a missing topic and creates nothing', async () => {
    const name = uniqueName('op-verify');
    const outcome = await reconcileTopics(stream([{ name, partitions: 1 }], 'verify'), { cluster: noCluster, adminFactory: factory });
    assert.equal(outcome.topics[0]?.state, 'Missing');
    const admin = await factory({ brokers, ssl: false });
    assert.equal((await admin.describe([name])).has(name), false);
    await admin.close();
  });

  it('reports KafkaUnavailable for an unreachable cluster instead of throwing', async () => {
    const port = await closedPort();
    const cr = sampleStream({ spec: { kafka: { bootstrapServers: [`127.0.0.1:${port}`], topics: [{ name: 'x', partitions: 1 }] } } });
    const outcome = await reconcileTopics(cr, { cluster: noCluster, adminFactory: factory });
    assert.equal(outcome.failure?.reason, 'KafkaUnavailable');
    await assert.rejects(factory({ brokers: [`127.0.0.1:${port}`], ssl: false }), (err: unknown) => err instanceof TopicAdminError && err.unavailable);
  });
});

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
