/**
 * The delivery pipeline end to end on in-memory twins: routing, ordering, offline buffering and
 * resume, redelivery, Redis outage, DLQ and replay, slow consumers, client publish. The same
 * scenarios run against real Kafka, Redis and gateway processes in test/e2e/delivery*.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFixture, type FakeConnection } from './delivery-fixture.ts';
import type { MemoryHistory } from '../adapters/memory/history.ts';
import type { MemoryInbound } from '../adapters/memory/kafka.ts';
import { metricValue } from '../observability/metrics.ts';

const payloads = (conn: FakeConnection): unknown[] => conn.messages().map((m) => m.data);
const seqsOf = (conn: FakeConnection, channel: string): number[] => conn.messages().filter((m) => m.channel === channel).map((m) => m.seq);

describe('delivery on in-memory twins', () => {
  it('routes session, customer, room and broadcast records to exactly the right connections', async () => {
    const f = await createFixture();
    const a = await f.connect(await f.session('A', 'C1', ['red']));
    const b = await f.connect(await f.session('B', 'C1', []));
    const c = await f.connect(await f.session('C', 'C2', ['red']));
    f.produce({ 'ces-session-id': 'A' }, 'to-A');
    f.produce({ 'ces-customer-id': 'C1' }, 'to-C1');
    f.produce({ 'ces-room': 'red' }, 'to-red');
    f.produce({ 'ces-broadcast': 'true' }, 'to-all');
    await f.settle();
    assert.deepEqual(payloads(a.conn), ['to-A', 'to-C1', 'to-red', 'to-all']);
    assert.deepEqual(payloads(b.conn), ['to-C1', 'to-all']);
    assert.deepEqual(payloads(c.conn), ['to-red', 'to-all']);
    const first = a.conn.messages()[0]!;
    assert.deepEqual([first.sessionId, first.channel, first.seq, first.messageId], ['A', 's:A', 1, `${f.topic}-${f.kafka.topics.get(f.topic)!.findIndex((log) => log.length > 0)}-0`]);
    await f.close();
  });

  it('property: no session ever receives another session\'s messages; per-channel seqs are gapless and ordered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom('s', 'c', 'r', '*'), target: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 40 }),
        async (records) => {
          const f = await createFixture();
          const conns = [];
          for (let i = 0; i < 6; i++) conns.push((await f.connect(await f.session(`S${i}`, `C${i % 3}`, [`R${i % 2}`]))).conn);
          records.forEach((r, n) => {
            const headers: Record<string, string> =
              r.kind === 's' ? { 'ces-session-id': `S${r.target}` } : r.kind === 'c' ? { 'ces-customer-id': `C${r.target % 3}` } : r.kind === 'r' ? { 'ces-room': `R${r.target % 2}` } : { 'ces-broadcast': '1' };
            f.produce(headers, { n, ...r });
          });
          await f.settle();
          conns.forEach((conn, i) => {
            const expected = records
              .map((r, n) => ({ n, ...r }))
              .filter((r) => (r.kind === 's' && r.target === i) || (r.kind === 'c' && r.target % 3 === i % 3) || (r.kind === 'r' && r.target % 2 === i % 2) || r.kind === '*');
            const got = conn.messages();
            assert.deepEqual(got.map((m) => (m.data as { n: number }).n).sort((x, y) => x - y), expected.map((r) => r.n));
            assert.ok(got.every((m) => m.sessionId === `S${i}`));
            for (const channel of new Set(got.map((m) => m.channel))) {
              const seqs = got.filter((m) => m.channel === channel).map((m) => m.seq);
              assert.deepEqual(seqs, seqs.map((_, k) => seqs[0]! + k));
            }
          });
          await f.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('carries the W3C trace id of the record into the frame', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('T'));
    f.produce({ 'ces-session-id': 'T', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, 'traced');
    f.produce({ 'ces-session-id': 'T' }, 'untraced');
    await f.settle();
    assert.deepEqual(conn.messages().map((m) => m.traceId), ['4bf92f3577b34da6a3ce929d0e0e4736', undefined]);
    await f.close();
  });

  it('buffers for an offline session and replays on connect, then goes live without gap or duplicate', async () => {
    const f = await createFixture();
    const s = await f.session('OFF');
    for (let n = 1; n <= 5; n++) f.produce({ 'ces-session-id': 'OFF' }, n);
    await f.settle();
    const { conn, welcome } = await f.connect(s);
    f.produce({ 'ces-session-id': 'OFF' }, 6);
    await f.settle();
    assert.equal(welcome.recovered, true);
    assert.deepEqual(payloads(conn), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(seqsOf(conn, 's:OFF'), [1, 2, 3, 4, 5, 6]);
    await f.close();
  });

  it('resumes after the stored ack or the client position, whichever is later', async () => {
    const f = await createFixture();
    const s = await f.session('R');
    const first = await f.connect(s);
    for (let n = 1; n <= 3; n++) f.produce({ 'ces-session-id': 'R' }, n);
    await f.settle();
    await f.delivery.handler.frame(first.conn, { type: 'ack', channel: 's:R', seq: 2 });
    await f.settle();
    f.delivery.handler.close(first.conn);
    for (let n = 4; n <= 5; n++) f.produce({ 'ces-session-id': 'R' }, n);
    await f.settle();
    const second = await f.connect(s);
    assert.deepEqual(payloads(second.conn), [3, 4, 5]);
    f.delivery.handler.close(second.conn);
    const epoch = second.welcome.channels.find((c) => c.channel === 's:R')!.epoch;
    const third = await f.connect(s, { 's:R': { seq: 4, epoch } });
    assert.deepEqual(payloads(third.conn), [5]);
    await f.close();
  });

  it('reports recovered: false with the missing range when history no longer holds the position, and on history loss', async () => {
    const f = await createFixture({ history: { maxEntries: 3, overflowPolicy: 'drop' } });
    const s = await f.session('L');
    const first = await f.connect(s);
    const epoch = first.welcome.channels[0]!.epoch;
    f.delivery.handler.close(first.conn);
    for (let n = 1; n <= 6; n++) f.produce({ 'ces-session-id': 'L' }, n);
    await f.settle();
    const trimmed = await f.connect(s, { 's:L': { seq: 0, epoch } });
    assert.equal(trimmed.welcome.recovered, false);
    assert.deepEqual(trimmed.welcome.channels[0], { channel: 's:L', seq: 6, epoch, recovered: false, missing: { from: 1, to: 3 } });
    assert.deepEqual(payloads(trimmed.conn), [4, 5, 6]);
    f.delivery.handler.close(trimmed.conn);
    (f.delivery.parts.history as MemoryHistory).lose('s:L');
    const lost = await f.connect(s, { 's:L': { seq: 6, epoch } });
    assert.equal(lost.welcome.recovered, false);
    assert.notEqual(lost.welcome.channels[0]!.epoch, epoch);
    await f.close();
  });

  it('a redelivered batch (crash before commit) adds nothing to history and nothing to the client', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('D'));
    for (let n = 1; n <= 4; n++) f.produce({ 'ces-session-id': 'D' }, n, 'D');
    await f.settle();
    const inbound = f.delivery.parts.inbound as MemoryInbound;
    inbound.committed.clear();
    await inbound.redeliverFromCommitted();
    await f.settle();
    assert.deepEqual(payloads(conn), [1, 2, 3, 4]);
    assert.equal((await f.delivery.parts.history.window('s:D')).top, 4);
    await f.close();
  });

  it('a Redis outage pauses consumption (not ready, nothing committed past it) and it resumes with nothing lost', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('O'));
    f.produce({ 'ces-session-id': 'O' }, 1);
    await f.settle();
    const history = f.delivery.parts.history as MemoryHistory;
    history.failWith = new Error('ECONNREFUSED');
    for (let n = 2; n <= 5; n++) f.produce({ 'ces-session-id': 'O' }, n, 'O');
    for (let i = 0; i < 200 && f.delivery.ready(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(f.delivery.ready(), false);
    assert.deepEqual(payloads(conn), [1]);
    history.failWith = undefined;
    for (let i = 0; i < 100 && !f.delivery.ready(); i++) await new Promise((r) => setTimeout(r, 10));
    await f.settle();
    assert.equal(f.delivery.ready(), true);
    assert.deepEqual(payloads(conn), [1, 2, 3, 4, 5]);
    await f.close();
  });

  it('closes a slow client with SLOW_CONSUMER; it reconnects from its position and catches up', async () => {
    const f = await createFixture();
    const s = await f.session('SLOW');
    const slow = await f.connect(s, {}, 2);
    for (let n = 1; n <= 5; n++) f.produce({ 'ces-session-id': 'SLOW' }, n);
    await f.settle();
    assert.equal(slow.conn.closedWith, 'SLOW_CONSUMER');
    const last = slow.conn.messages().at(-1)!;
    const again = await f.connect(s, { 's:SLOW': { seq: last.seq, epoch: last.epoch } });
    assert.deepEqual([...payloads(slow.conn), ...payloads(again.conn)], [1, 2, 3, 4, 5]);
    await f.close();
  });

  it('applies the unknown-session policy: dlq (default), drop, or store for a later registration', async () => {
    for (const policy of ['dlq', 'drop', 'store'] as const) {
      const f = await createFixture({ delivery: { unknownSessionPolicy: policy } });
      f.produce({ 'ces-session-id': 'GHOST' }, 'boo');
      await f.settle();
      const dlq = f.kafka.topics.get(f.dlq)!.flat();
      assert.deepEqual(dlq.map((r) => r.headers['ces-dlq-reason']), policy === 'dlq' ? ['unknown_session'] : [], policy);
      assert.equal((await f.delivery.parts.history.window('s:GHOST')).top, policy === 'store' ? 1 : 0, policy);
      await f.close();
    }
  });

  it('with overflowPolicy dlq, a record that does not fit an unacked session history goes to the DLQ', async () => {
    const f = await createFixture({ history: { maxEntries: 3 } });
    const full = await f.session('FULL');
    for (let n = 1; n <= 5; n++) f.produce({ 'ces-session-id': 'FULL' }, n);
    await f.settle();
    const dlq = f.kafka.topics.get(f.dlq)!.flat();
    assert.deepEqual(dlq.map((r) => [r.headers['ces-dlq-reason'], r.value?.toString()]), [['history_overflow', '4'], ['history_overflow', '5']]);
    const { conn } = await f.connect(full);
    assert.deepEqual(payloads(conn), [1, 2, 3]);
    await f.delivery.handler.frame(conn, { type: 'ack', channel: 's:FULL', seq: 3 });
    f.produce({ 'ces-session-id': 'FULL' }, 6);
    await f.settle();
    assert.deepEqual(payloads(conn), [1, 2, 3, 6]);
    await f.close();
  });

  it('reports consumer lag only for assigned partitions: a revoked partition\'s series is removed', async () => {
    const f = await createFixture();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) f.produce({ 'ces-broadcast': 'true' }, key, key);
    await f.settle();
    const lag = (partition: number) => metricValue(f.metrics.registry, 'ces_gateway_consumer_lag_records', { topic: f.topic, partition });
    const reported = [];
    for (const p of [0, 1, 2]) if ((await lag(p)) !== undefined) reported.push(p);
    assert.ok(reported.length >= 2, `lag reported for partitions ${reported.join(',')}`);
    (f.delivery.parts.inbound as MemoryInbound).assign({ [f.topic]: [reported[0]!] });
    assert.notEqual(await lag(reported[0]!), undefined);
    for (const p of reported.slice(1)) assert.equal(await lag(p), undefined);
    await f.close();
  });

  it('client publish goes to the inbound topic once per id and answers with its position', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('P', 'CP'));
    await f.delivery.handler.frame(conn, { type: 'publish', id: 'p1', event: 'chat', data: { hi: 1 } });
    await f.delivery.handler.frame(conn, { type: 'publish', id: 'p1', event: 'chat', data: { hi: 1 } });
    await f.delivery.handler.frame(conn, { type: 'publish', id: ' bad id', event: 'chat', data: 1 });
    const replies = conn.frames.filter((fr) => fr.type === 'published' || fr.type === 'error');
    assert.deepEqual(replies.map((r) => (r.type === 'published' ? r.duplicate : r.code)), [false, true, 'INVALID_REQUEST']);
    const records = f.kafka.topics.get('inbound')!.flat();
    assert.equal(records.length, 1);
    assert.deepEqual([records[0]!.key?.toString(), records[0]!.headers['ces-session-id'], records[0]!.headers['ces-event']], ['P', 'P', 'chat']);
    await f.close();
  });
});
