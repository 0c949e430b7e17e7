/**
 * Client frames through the DeliveryHandler (malformed, hostile, unauthorized), and live-path
 * repair: a lost pub/sub message is filled from history, a resync after a link drop catches up.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientFrame } from '@ces/contracts/protocol';
import { createFixture } from './delivery-fixture.ts';
import type { MemoryFanout } from '../adapters/memory/fanout.ts';
import type { ChannelEntry } from '../core/record.ts';

describe('client frames', () => {
  it('answers acks for unknown channels or invalid seqs with an error, and never stores an ack beyond what was sent', async () => {
    const f = await createFixture();
    const s = await f.session('AK');
    const { conn } = await f.connect(s);
    f.produce({ 'ces-session-id': 'AK' }, 1);
    await f.settle();
    const hostile = [
      { type: 'ack', channel: 's:OTHER', seq: 1 },
      { type: 'ack', channel: 's:AK', seq: -1 },
      { type: 'ack', channel: 's:AK', seq: 1.5 },
      { type: 'ack', channel: '__proto__', seq: 1 },
    ] as ClientFrame[];
    for (const frame of hostile) await f.delivery.handler.frame(conn, frame);
    await f.delivery.handler.frame(conn, { type: 'ack', channel: 's:AK', seq: 999 });
    await f.settle();
    assert.deepEqual(conn.frames.filter((fr) => fr.type === 'error').map((fr) => fr.type === 'error' && fr.code), ['INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST']);
    // Only the valid ack counted, capped at what was sent (a session channel's ack lives in its history meta).
    assert.equal((await f.delivery.parts.history.window('s:AK')).acked, 1);
    assert.deepEqual(await f.sessions.getAcks('AK'), {});
    await f.close();
  });

  it('lets a session subscribe only to rooms of its claims, and unsubscribe stops them', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('RM', 'C', ['lobby']));
    await f.delivery.handler.frame(conn, { type: 'subscribe', room: 'vip' });
    await f.delivery.handler.frame(conn, { type: 'unsubscribe', room: 'lobby' });
    await f.settle();
    f.produce({ 'ces-room': 'vip' }, 'vip');
    f.produce({ 'ces-room': 'lobby' }, 'lobby-1');
    await f.settle();
    await f.delivery.handler.frame(conn, { type: 'subscribe', room: 'lobby' });
    await f.settle();
    f.produce({ 'ces-room': 'lobby' }, 'lobby-2');
    await f.settle();
    assert.deepEqual(conn.frames.filter((fr) => fr.type === 'error').map((fr) => fr.type === 'error' && fr.code), ['UNAUTHORIZED']);
    assert.deepEqual(conn.messages().map((m) => m.data), ['lobby-2']);
    await f.close();
  });

  it('refuses malformed and oversized publish frames without producing', async () => {
    const f = await createFixture();
    const { conn } = await f.connect(await f.session('PB'));
    const bad = [
      { type: 'publish', id: '', event: 'e', data: 1 },
      { type: 'publish', id: 'x'.repeat(129), event: 'e', data: 1 },
      { type: 'publish', id: 'ok', event: 'e'.repeat(129), data: 1 },
      { type: 'publish', id: 'ok2', event: 'e' },
      { type: 'publish', id: 7, event: 'e', data: 1 },
    ] as unknown as ClientFrame[];
    for (const frame of bad) await f.delivery.handler.frame(conn, frame);
    assert.equal(conn.frames.filter((fr) => fr.type === 'error').length, bad.length);
    assert.equal(f.kafka.topics.get(f.inbound)!.flat().length, 0);
    await f.close();
  });
});

describe('live path repair', () => {
  it('fills a lost live message from history so the client sees no gap', async () => {
    const f = await createFixture();
    const fanout = f.delivery.parts.fanout as MemoryFanout;
    const publish = fanout.publish.bind(fanout);
    fanout.publish = (entry: ChannelEntry) => (entry.seq === 2 && entry.channel === 's:GP' ? undefined : publish(entry));
    const { conn } = await f.connect(await f.session('GP'));
    for (let n = 1; n <= 3; n++) f.produce({ 'ces-session-id': 'GP' }, n);
    await f.settle();
    assert.deepEqual(conn.messages().map((m) => [m.seq, m.data]), [[1, 1], [2, 2], [3, 3]]);
    await f.close();
  });

  it('catches up after the live link was interrupted (resync)', async () => {
    const f = await createFixture();
    const fanout = f.delivery.parts.fanout as MemoryFanout;
    const publish = fanout.publish.bind(fanout);
    let drop = true;
    fanout.publish = (entry: ChannelEntry) => (drop && entry.channel === 's:RS' ? undefined : publish(entry));
    const { conn } = await f.connect(await f.session('RS'));
    f.produce({ 'ces-session-id': 'RS' }, 'missed');
    await f.settle();
    assert.equal(conn.messages().length, 0);
    drop = false;
    fanout.simulateResync();
    await f.settle();
    assert.deepEqual(conn.messages().map((m) => m.data), ['missed']);
    await f.close();
  });

  it('releases every subscription when connections close', async () => {
    const f = await createFixture();
    const fanout = f.delivery.parts.fanout as MemoryFanout;
    const a = await f.connect(await f.session('U1', 'C', ['r1']));
    const b = await f.connect(await f.session('U2', 'C', ['r2']));
    assert.equal(fanout.channelCount, 6); // s:U1 s:U2 c:C r:r1 r:r2 *
    f.delivery.handler.close(a.conn);
    f.delivery.handler.close(b.conn);
    await f.settle();
    assert.equal(fanout.channelCount, 0);
    await f.close();
  });
});
