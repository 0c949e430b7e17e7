/**
 * Private servers for reliability tests: a Kafka broker stopped and restarted in place keeps its
 * address and its records; a Redis node restarted on its port comes back empty. These never touch
 * the shared servers (own folders, own ports).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { needs, uniqueName } from '../support/infra.ts';
import { createTopicsAndWait } from '../support/kafka.ts';
import { kafkaHealthy, startKafka } from './kafka.ts';
import { findByMarker } from './procs.ts';
import { stopRunning, type Running } from './records.ts';
import { redisPing, startRedis } from './redis.ts';

const kafka = needs('kafka'); // proves java + the jar cache work on this machine
const redis = needs('redis');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ces-restart-'));
const running: Running<unknown>[] = [];
after(async () => {
  await Promise.all(running.map((r) => stopRunning(r, 2000)));
  rmSync(dir, { recursive: true, force: true });
});

describe('private Kafka broker restart', { skip: kafka.skip }, () => {
  it('comes back on the same address with the records it had', async () => {
    const kdir = path.join(dir, 'kafka');
    const first = await startKafka({ dir: kdir });
    running.push(first);
    const brokers = first.state.brokers;
    const client = new Kafka({ clientId: 'restart-test', brokers, logLevel: logLevel.NOTHING });
    const topic = uniqueName('restart');
    const admin = client.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await producer.disconnect();

    await stopRunning(first);
    assert.equal(await kafkaHealthy(brokers), false);

    const second = await startKafka({ dir: kdir, restart: true });
    running.push(second);
    assert.deepEqual(second.state.brokers, brokers);
    const admin2 = client.admin();
    await admin2.connect();
    try {
      const offsets = await admin2.fetchTopicOffsets(topic);
      assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]), [[0, '0', '3']]);
    } finally {
      await admin2.disconnect();
    }
  });

  it('a broker that is not ready in time is stopped, not left running', async () => {
    const kdir = path.join(dir, 'kafka-slow');
    await assert.rejects(startKafka({ dir: kdir, readyTimeoutMs: 1 }), /timed out/);
    assert.deepEqual(findByMarker(path.join(kdir, 'server.properties'), ['java']), []);
  });

  it('refuses to restart a folder that never held a broker', async () => {
    await assert.rejects(startKafka({ dir: path.join(dir, 'never-started'), restart: true }), /ENOENT/);
  });
});

describe('private Redis restart', { skip: redis.skip }, () => {
  it('comes back on the same port, empty', async () => {
    const rdir = path.join(dir, 'redis');
    const first = await startRedis({ dir: rdir });
    running.push(first);
    const client = new Redis(first.state.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    await client.set('k', 'v');
    client.disconnect();

    await stopRunning(first);
    assert.equal(await redisPing(first.state.port), false);

    const second = await startRedis({ dir: rdir, port: first.state.port });
    running.push(second);
    const again = new Redis(second.state.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await again.connect();
    try {
      assert.equal(await again.get('k'), null);
    } finally {
      again.disconnect();
    }
  });
});
