/**
 * Resume through a real gateway: an offline session buffers and replays on connect; after its
 * history is lost the welcome says `recovered: false` (the SDK reports the gap) and the new epoch
 * is delivered; a slow client is closed with 4001 SLOW_CONSUMER and catches up on reconnect.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import type { ChannelState, MessageFrame, ServerFrame } from '@ces/contracts/protocol';
import { CloseCodes } from '@ces/contracts/close-codes';
import { CesClient } from '@ces/gateway/client';
import { wsSocket } from '../../gateway/client/adapters/ws-socket.ts';
import { channelKeys } from '../../gateway/src/adapters/redis/history-keys.ts';
import { needs } from '../support/infra.ts';
import { createStream, newSession, spawnGateway, waitFor, type GatewayProcess, type Stream } from './delivery-support.ts';

const kafka = needs('kafka');
const redis = needs('redis');

describe('delivery e2e: offline buffering, history loss, slow consumers', { skip: kafka.skip || redis.skip, timeout: 180_000 }, () => {
  let stream: Stream;
  let gateway: GatewayProcess;
  let r: Redis;
  const clients: CesClient[] = [];

  before(async () => {
    stream = await createStream(kafka.value!.brokers);
    gateway = await spawnGateway(stream, redis.value!.url, kafka.value!.brokers, {
      CES_WS_OUTBOUND_QUEUE_MAX_BYTES: '65536',
      CES_HISTORY_MAX_ENTRIES: '500',
      CES_KAFKA_MAX_RECORD_BYTES: '200000',
      // The slow client stops reading (so it cannot answer pings either): keep the heartbeat from
      // terminating it before the outbound queue overflows.
      CES_WS_HEARTBEAT_INTERVAL_MS: '60000',
    });
    r = new Redis(redis.value!.url);
  });
  after(async () => {
    for (const c of clients) c.close();
    await gateway?.kill('SIGTERM');
    const keys = await r.keys(`${stream.keyPrefix}:*`);
    for (const key of keys) await r.del(key);
    r.disconnect();
    await stream?.close();
  });

  it('buffers for an offline session, replays on connect, and reports recovered: false after history loss', async () => {
    const { sessionId, websocketUrl } = await newSession(gateway.url, 'buffer-cust');
    for (let n = 1; n <= 5; n++) await stream.produce({ 'ces-session-id': sessionId }, { n }, sessionId);
    const got: MessageFrame[] = [];
    const gaps: ChannelState[] = [];
    const options = { url: websocketUrl, socket: wsSocket, ackDelayMs: 10, onMessage: (m: MessageFrame) => got.push(m), onGap: (c: ChannelState) => gaps.push(c) };
    const first = new CesClient(options);
    clients.push(first);
    first.connect();
    await waitFor('offline buffer replayed', () => got.length === 5);
    await stream.produce({ 'ces-session-id': sessionId }, { n: 6 }, sessionId);
    await waitFor('live after replay', () => got.length === 6);
    assert.deepEqual(got.map((m) => [m.seq, (m.data as { n: number }).n]), [1, 2, 3, 4, 5, 6].map((n) => [n, n]));
    assert.equal(gaps.length, 0);
    const positions = first.positions;
    first.close();

    // The history of the session channel is lost (TTL / flush): a new epoch starts.
    const keys = channelKeys(`${stream.keyPrefix}:`, `s:${sessionId}`);
    await r.del(keys.meta, keys.log, keys.sources);
    await stream.produce({ 'ces-session-id': sessionId }, { n: 7 }, sessionId);
    await waitFor('new epoch started', async () => (await r.hget(keys.meta, 'top')) === '1');
    const second = new CesClient({ ...options, positions });
    clients.push(second);
    second.connect();
    await waitFor('new epoch delivered', () => got.length === 7);
    const gap = gaps[0] as ChannelState | undefined;
    assert.deepEqual(gaps.map((g) => [g.channel, g.recovered]), [[`s:${sessionId}`, false]]);
    assert.notEqual(gap?.epoch, positions[`s:${sessionId}`]!.epoch);
    assert.deepEqual([got[6]!.seq, got[6]!.data], [1, { n: 7 }]);
    second.close();
  });

  it('a client without positions (page reload) resumes after the acks stored with the session, on another gateway too', async () => {
    const other = await spawnGateway(stream, redis.value!.url, kafka.value!.brokers);
    try {
      const { sessionId, websocketUrl } = await newSession(gateway.url, 'ack-cust');
      const got: number[] = [];
      const options = { url: websocketUrl, socket: wsSocket, ackDelayMs: 5, onMessage: (m: MessageFrame) => got.push((m.data as { n: number }).n) };
      const first = new CesClient(options);
      clients.push(first);
      first.connect();
      await waitFor('connected', () => first.connected);
      for (let n = 1; n <= 3; n++) await stream.produce({ 'ces-session-id': sessionId }, { n }, sessionId);
      await waitFor('first three', () => got.length === 3);
      first.close(); // flushes the cumulative ack of 3 before closing
      for (let n = 4; n <= 5; n++) await stream.produce({ 'ces-session-id': sessionId }, { n }, sessionId);
      const reloaded = new CesClient({ ...options, url: websocketUrl.replace(new URL(gateway.url).host, new URL(other.url).host) });
      clients.push(reloaded);
      reloaded.connect();
      await waitFor('resumed after the stored ack', () => got.length >= 5);
      assert.deepEqual(got, [1, 2, 3, 4, 5]);
      reloaded.close();
    } finally {
      await other.kill('SIGTERM');
    }
  });

  it('closes a slow client with SLOW_CONSUMER; it reconnects and catches up without gap or duplicate', async () => {
    const { sessionId, websocketUrl } = await newSession(gateway.url, 'slow-cust');
    const raw = new WebSocket(websocketUrl, 'ces.v1');
    const frames: ServerFrame[] = [];
    raw.on('message', (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
    await waitFor('welcome', () => frames.some((f) => f.type === 'welcome'));
    // Stop reading: the kernel buffers fill, then the gateway's byte-bounded queue overflows.
    (raw as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const COUNT = 250;
    const pad = 'x'.repeat(60_000);
    for (let n = 0; n < COUNT; n += 10) {
      await stream.producer.send({
        topic: stream.topic,
        messages: Array.from({ length: 10 }, (_, k) => ({ key: sessionId, value: JSON.stringify({ n: n + k, pad }), headers: { 'ces-session-id': sessionId } })),
      });
    }
    await waitFor('history holds everything', async () => (await r.hget(channelKeys(`${stream.keyPrefix}:`, `s:${sessionId}`).meta, 'top')) === String(COUNT));
    const closed = once(raw, 'close');
    (raw as unknown as { _socket: { resume(): void } })._socket.resume();
    const [code] = (await closed) as [number];
    assert.equal(code, CloseCodes.SLOW_CONSUMER.code);
    const seen = frames.filter((f): f is MessageFrame => f.type === 'message');
    assert.ok(seen.length < COUNT, 'the slow client was cut off before receiving everything');

    const got: number[] = seen.map((m) => (m.data as { n: number }).n);
    const last = seen.at(-1);
    const client = new CesClient({
      url: websocketUrl, socket: wsSocket,
      positions: last ? { [last.channel]: { seq: last.seq, epoch: last.epoch } } : {},
      onMessage: (m) => got.push((m.data as { n: number }).n),
    });
    clients.push(client);
    client.connect();
    await waitFor('caught up', () => got.length >= COUNT, 60_000);
    assert.deepEqual(got, Array.from({ length: COUNT }, (_, n) => n));
    client.close();
  });
});
