/**
 * Delivery against real Kafka and Redis, in-process: routing, per-key ordering across partitions,
 * every malformed-record class in the DLQ with its headers, DLQ replay, push, and redelivery
 * (crash before commit) adding nothing to history.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { needs } from '../../../test/support/infra.ts';
import { realFixture, type RealFixture } from './real-fixture.ts';
import type { SourceRecord } from '../core/record.ts';
import { KafkaTopicReader } from '../adapters/kafka/reader.ts';

const kafka = needs('kafka');
const redis = needs('redis');

describe('delivery with real Kafka and Redis', { skip: kafka.skip || redis.skip, timeout: 120_000 }, () => {
  let f: RealFixture;
  beforeEach(async () => {
    f = await realFixture(kafka.value!.brokers, redis.value!.url, { kafka: { maxRecordBytes: 20_000 } });
  });
  afterEach(async () => {
    await f?.close();
  });

  it('routes each target type, keeps per-key order across partitions, and dead-letters every malformed class', async () => {
    const d = await f.start();
    const a = await f.connect(d, await f.session('A', 'C1', ['blue']));
    const b = await f.connect(d, await f.session('B', 'C2', []));
    for (let n = 1; n <= 10; n++) await f.produce({ 'ces-session-id': 'A' }, JSON.stringify({ n }), 'A');
    await f.produce({ 'ces-customer-id': 'C2' }, JSON.stringify('to-C2'), 'C2');
    await f.produce({ 'ces-room': 'blue' }, JSON.stringify('to-blue'), 'blue');
    await f.produce({ 'ces-broadcast': 'true' }, JSON.stringify('to-all'));
    const bad: [Record<string, string>, string | Buffer | null, string][] = [
      [{ 'ces-session-id': 'A' }, '{oops', 'decode'],
      [{ 'ces-session-id': 'A' }, null, 'decode'],
      [{}, '{"x":1}', 'no_target'],
      [{ 'ces-session-id': 'bad id!' }, '{"x":1}', 'no_target'],
      [{ 'ces-session-id': 'NOBODY' }, '{"x":1}', 'unknown_session'],
      [{ 'ces-session-id': 'A', 'x-original': 'kept' }, Buffer.alloc(30_000, 0x61), 'too_large'],
    ];
    for (const [headers, value] of bad) await f.produce(headers, value, 'bad'); // one key: one partition, DLQ order = produce order
    await f.waitFor('A and B deliveries', () => a.conn.messages().length === 12 && b.conn.messages().length === 2);
    assert.deepEqual(a.conn.messages().filter((m) => m.channel === 's:A').map((m) => (m.data as { n: number }).n), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(a.conn.messages().filter((m) => m.channel === 's:A').map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(new Set(a.conn.messages().map((m) => m.data)).has('to-C2'), false);
    // Different channels and partitions: no order between them, only membership.
    assert.deepEqual(b.conn.messages().map((m) => m.data).sort(), ['to-C2', 'to-all'].sort());

    const reader = new KafkaTopicReader(f.kafka, f.config.kafka.groupId);
    let dlq: SourceRecord[] = [];
    await f.waitFor('DLQ records', async () => (dlq = await reader.read(f.config.kafka.dlqTopic, { partition: 0, count: 100 })).length >= bad.length);
    assert.deepEqual(dlq.map((r) => r.headers['ces-dlq-reason']), bad.map((x) => x[2]));
    for (const [i, r] of dlq.entries()) {
      assert.equal(r.headers['ces-dlq-original-topic'], f.config.kafka.topics[0]);
      assert.match(r.headers['ces-dlq-original-partition']!, /^\d$/);
      assert.match(r.headers['ces-dlq-original-offset']!, /^\d+$/);
      assert.match(r.headers['ces-dlq-original-timestamp']!, /^\d{13}$/);
      assert.equal(r.headers['ces-dlq-retry-count'], '0');
      assert.ok(r.headers['ces-dlq-error']!.length > 0);
      const original = bad[i]![1];
      assert.deepEqual(r.value, original === null ? null : Buffer.from(original));
    }
    assert.equal(dlq[5]!.headers['x-original'], 'kept');

    // The unknown session registers; replaying its DLQ record now delivers it, retry count 1.
    const late = await f.connect(d, await f.session('NOBODY'));
    const report = await d.replayDlq({ partition: 0, fromOffset: dlq[4]!.offset, toOffset: dlq[4]!.offset, count: 10 });
    assert.equal(report.replayed, 1);
    await f.waitFor('replayed record delivered', () => late.conn.messages().length === 1);
    const replayed = late.conn.messages()[0]!;
    assert.deepEqual(replayed.data, { x: 1 });
    assert.equal(replayed.messageId, `${dlq[4]!.headers['ces-dlq-original-topic']}-${dlq[4]!.headers['ces-dlq-original-partition']}-${dlq[4]!.headers['ces-dlq-original-offset']}`);

    // Push API: produced with the target header, then consumed like any record.
    const pushed = await d.push({ target: { sessionId: 'B' }, event: 'greet', data: { hello: 'B' } });
    assert.equal(pushed.topic, f.config.kafka.topics[0]);
    await f.waitFor('pushed record delivered', () => b.conn.messages().length === 3);
    assert.deepEqual([b.conn.messages()[2]!.event, b.conn.messages()[2]!.data], ['greet', { hello: 'B' }]);
    await d.stop();
  });

  it('commits exactly what is in history: after a graceful stop the group offset is at the end', async () => {
    const d = await f.start();
    await f.session('GS');
    for (let n = 1; n <= 5; n++) await f.produce({ 'ces-session-id': 'GS' }, JSON.stringify(n), 'GS');
    await f.waitFor('history filled', async () => (await d.parts.history.window('s:GS')).top === 5);
    await d.stop();
    const admin = f.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: f.config.kafka.groupId, topics: [f.config.kafka.topics[0]!] });
    const ends = await admin.fetchTopicOffsets(f.config.kafka.topics[0]!);
    await admin.disconnect();
    const byPartition = new Map(ends.map((e) => [e.partition, e.high]));
    const written = ends.filter((e) => e.high !== '0').map((e) => e.partition);
    assert.deepEqual(
      committed!.partitions.filter((p) => written.includes(p.partition)).map((p) => p.offset),
      written.map((p) => byPartition.get(p)),
    );
  });

  it('a redelivery after a crash before commit adds nothing to history and nothing to the client', async () => {
    const first = await f.start();
    const s = await f.session('RD');
    for (let n = 1; n <= 5; n++) await f.produce({ 'ces-session-id': 'RD' }, JSON.stringify(n), 'RD');
    await f.waitFor('history filled', async () => (await first.parts.history.window('s:RD')).top === 5);
    await first.stop();
    // Rewind the group as if the commits had never happened.
    const admin = f.kafka.admin();
    await admin.connect();
    await f.waitFor('group empty and rewound', () =>
      admin.resetOffsets({ groupId: f.config.kafka.groupId, topic: f.config.kafka.topics[0]!, earliest: true }).then(() => true, () => false),
    );
    await admin.disconnect();
    const second = await f.start();
    const { conn } = await f.connect(second, s);
    await f.produce({ 'ces-session-id': 'RD' }, JSON.stringify(6), 'RD');
    await f.waitFor('6 delivered', () => conn.messages().length === 6);
    assert.deepEqual(conn.messages().map((m) => m.data), [1, 2, 3, 4, 5, 6]);
    assert.equal((await second.parts.history.window('s:RD')).top, 6);
    await second.stop();
  });
});

const cluster = needs('redisCluster');

describe('delivery on Redis Cluster (sharded pub/sub)', { skip: kafka.skip || cluster.skip, timeout: 60_000 }, () => {
  it('delivers live, then resumes after a reconnect with no gap and no duplicate', async () => {
    const url = cluster.value!.nodes.map((n) => `redis://${n.host}:${n.port}`).join(',');
    const f = await realFixture(kafka.value!.brokers, url, { redis: { mode: 'cluster' } });
    try {
      const d = await f.start();
      const s = await f.session('CL', 'CC', ['room-a']);
      const first = await f.connect(d, s);
      for (let n = 1; n <= 3; n++) await f.produce({ 'ces-session-id': 'CL' }, JSON.stringify(n), 'CL');
      await f.produce({ 'ces-room': 'room-a' }, JSON.stringify('room'), 'room-a');
      await f.waitFor('live entries', () => first.conn.messages().length === 4);
      const last = first.conn.messages().filter((m) => m.channel === 's:CL').at(-1)!;
      d.handler.close(first.conn);
      for (let n = 4; n <= 6; n++) await f.produce({ 'ces-session-id': 'CL' }, JSON.stringify(n), 'CL');
      await f.waitFor('history filled', async () => (await d.parts.history.window('s:CL')).top === 6);
      const second = await f.connect(d, s, { 's:CL': { seq: last.seq, epoch: last.epoch } });
      await f.produce({ 'ces-session-id': 'CL' }, JSON.stringify(7), 'CL');
      await f.waitFor('replay + live', () => second.conn.messages().length === 4);
      assert.deepEqual(second.conn.messages().map((m) => m.data), [4, 5, 6, 7]);
      assert.equal(second.welcome.recovered, true);
    } finally {
      await f.close();
    }
  });
});
