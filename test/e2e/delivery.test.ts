/**
 * Delivery end to end through real gateway processes: two gateways share one consumer group and
 * Redis; clients (the SDK over `ws`) are spread over both. Each routing source and channel type
 * reaches exactly the right sessions (fast-check property over random records), per-key order and
 * gapless seqs hold across partitions and gateways, push and DLQ replay work over HTTP.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MessageFrame } from '@ces/contracts/protocol';
import { CesClient } from '@ces/gateway/client';
import { wsSocket } from '../../gateway/client/adapters/ws-socket.ts';
import { needs } from '../support/infra.ts';
import { KafkaTopicReader } from '../../gateway/src/adapters/kafka/reader.ts';
import type { SourceRecord } from '../../gateway/src/core/record.ts';
import { API_TOKEN, createStream, newSession, spawnGateway, waitFor, wsUrlOn, type GatewayProcess, type Stream } from './delivery-support.ts';

const kafka = needs('kafka');
const redis = needs('redis');

interface Peer {
  sessionId: string;
  customerId: string;
  rooms: string[];
  client: CesClient;
  received: MessageFrame[];
}

describe('delivery e2e: routing and ordering across gateways', { skip: kafka.skip || redis.skip, timeout: 180_000 }, () => {
  let stream: Stream;
  const gateways: GatewayProcess[] = [];
  const peers: Peer[] = [];

  before(async () => {
    stream = await createStream(kafka.value!.brokers);
    for (let i = 0; i < 2; i++) gateways.push(await spawnGateway(stream, redis.value!.url, kafka.value!.brokers));
    for (let i = 0; i < 8; i++) {
      const customerId = `cust-${i % 3}`;
      const rooms = [`room-${i % 2}`];
      const { sessionId } = await newSession(gateways[0]!.url, customerId, rooms);
      const received: MessageFrame[] = [];
      const client = new CesClient({ url: wsUrlOn(gateways[i % 2]!, sessionId), socket: wsSocket, onMessage: (m) => received.push(m) });
      client.connect();
      peers.push({ sessionId, customerId, rooms, client, received });
    }
    await waitFor('clients connected', () => peers.every((p) => p.client.connected));
  });
  after(async () => {
    for (const p of peers) p.client.close();
    for (const g of gateways) await g.kill('SIGTERM');
    await stream?.close();
  });

  it('property: every record reaches exactly the sessions it targets, never another session', async () => {
    const expected = new Map<string, Set<string>>(peers.map((p) => [p.sessionId, new Set()]));
    let runId = 0;
    const target = fc.oneof(
      fc.record({ kind: fc.constant('session' as const), i: fc.nat(7) }),
      fc.record({ kind: fc.constant('customer' as const), i: fc.nat(2) }),
      fc.record({ kind: fc.constant('room' as const), i: fc.nat(1) }),
      fc.record({ kind: fc.constant('broadcast' as const), i: fc.constant(0) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(target, { minLength: 1, maxLength: 12 }), async (targets) => {
        const run = runId++;
        for (const [n, t] of targets.entries()) {
          const id = `${run}-${n}`;
          const headers: Record<string, string> =
            t.kind === 'session' ? { 'ces-session-id': peers[t.i]!.sessionId } : t.kind === 'customer' ? { 'ces-customer-id': `cust-${t.i}` } : t.kind === 'room' ? { 'ces-room': `room-${t.i}` } : { 'ces-broadcast': 'true' };
          for (const [k, p] of peers.entries()) {
            const hit = (t.kind === 'session' && t.i === k) || (t.kind === 'customer' && p.customerId === `cust-${t.i}`) || (t.kind === 'room' && p.rooms.includes(`room-${t.i}`)) || t.kind === 'broadcast';
            if (hit) expected.get(p.sessionId)!.add(id);
          }
          await stream.produce(headers, { id });
        }
        await waitFor(`run ${run} delivered`, () => peers.every((p) => [...expected.get(p.sessionId)!].every((id) => p.received.some((m) => (m.data as { id: string }).id === id))));
      }),
      { numRuns: 5 },
    );
    await stream.produce({ 'ces-broadcast': 'true' }, { id: 'fence' });
    await waitFor('fence', () => peers.every((p) => p.received.some((m) => (m.data as { id: string }).id === 'fence')));
    for (const p of peers) {
      const got = p.received.map((m) => (m.data as { id: string }).id).filter((id) => id !== 'fence');
      assert.deepEqual(new Set(got), expected.get(p.sessionId), `session ${p.sessionId.slice(0, 6)} got exactly its records`);
      assert.equal(got.length, expected.get(p.sessionId)!.size, 'no duplicates');
      assert.ok(p.received.every((m) => m.sessionId === p.sessionId));
    }
  });

  it('per-key order holds across partitions and gateways, and seq is gapless per channel', async () => {
    const before = peers.map((p) => p.received.length);
    for (let n = 0; n < 20; n++) {
      for (const p of peers.slice(0, 4)) await stream.produce({ 'ces-session-id': p.sessionId }, { order: n }, p.sessionId);
    }
    await waitFor('ordered records', () => peers.slice(0, 4).every((p, i) => p.received.length - before[i]! >= 20));
    for (const p of peers) {
      for (const channel of new Set(p.received.map((m) => m.channel))) {
        const seqs = p.received.filter((m) => m.channel === channel).map((m) => m.seq);
        assert.deepEqual(seqs, seqs.map((_, k) => seqs[0]! + k), `gapless seqs in ${channel.slice(0, 2)}`);
      }
    }
    for (const p of peers.slice(0, 4)) {
      const orders = p.received.map((m) => (m.data as { order?: number }).order).filter((o) => o !== undefined);
      assert.deepEqual(orders, Array.from({ length: 20 }, (_, n) => n));
    }
  });

  it('POST /api/push delivers to the target; a malformed record goes to the DLQ and POST /admin/dlq/replay brings it back', async () => {
    const p = peers[5]!;
    const res = await fetch(`${gateways[1]!.url}/api/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ target: { sessionId: p.sessionId }, event: 'greeting', data: { hello: 1 } }),
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { topic: string; partition: number; offset: string };
    assert.equal(answer.topic, stream.topic);
    await waitFor('push delivered', () => p.received.some((m) => m.event === 'greeting'));
    const pushed = p.received.find((m) => m.event === 'greeting')!;
    assert.equal(pushed.messageId, `${stream.topic}-${answer.partition}-${answer.offset}`);

    // Unauthorized push and replay are refused.
    assert.equal((await fetch(`${gateways[0]!.url}/api/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
    assert.equal((await fetch(`${gateways[0]!.url}/admin/dlq/replay`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{"partition":0}' })).status, 401);

    // A malformed record is dead-lettered with its headers; replaying it re-publishes the same
    // bytes to the original topic, where it fails again: the DLQ then holds it with retry count 1.
    await stream.producer.send({ topic: stream.topic, messages: [{ key: 'bad', value: '{oops', headers: { 'ces-session-id': p.sessionId } }] });
    const reader = new KafkaTopicReader(stream.kafka, stream.group);
    let dlq: SourceRecord[] = [];
    await waitFor('dead-lettered', async () => (dlq = await reader.read(stream.dlq, { partition: 0, count: 100 })).length >= 1);
    assert.deepEqual([dlq[0]!.value?.toString(), dlq[0]!.headers['ces-dlq-reason'], dlq[0]!.headers['ces-dlq-original-topic'], dlq[0]!.headers['ces-dlq-retry-count']], ['{oops', 'decode', stream.topic, '0']);
    const replay = await fetch(`${gateways[0]!.url}/admin/dlq/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ partition: 0, fromOffset: dlq[0]!.offset, toOffset: dlq[0]!.offset }),
    });
    assert.equal(replay.status, 200);
    assert.equal(((await replay.json()) as { replayed: number }).replayed, 1);
    await waitFor('dead-lettered again', async () => (dlq = await reader.read(stream.dlq, { partition: 0, count: 100 })).length >= 2);
    assert.deepEqual([dlq[1]!.value?.toString(), dlq[1]!.headers['ces-dlq-reason'], dlq[1]!.headers['ces-dlq-retry-count']], ['{oops', 'decode', '1']);
  });
});
