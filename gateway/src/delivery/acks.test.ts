/** Ack keys per epoch and the coalescing ack writer: what ends up stored, not how often it was called. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ackKey, createAckWriter, currentEpochAcks } from './acks.ts';

/** A store with a real round trip (a timer), keeping the highest ack per key like SessionStore.saveAck. */
function slowStore() {
  const stored = new Map<string, number>();
  let writes = 0;
  let failNext = false;
  const write = async (sessionId: string, channel: string, epoch: string, seq: number): Promise<void> => {
    writes++;
    await new Promise((r) => setTimeout(r, 5));
    if (failNext) {
      failNext = false;
      throw new Error('store unavailable');
    }
    const key = `${sessionId}/${ackKey(channel, epoch)}`;
    stored.set(key, Math.max(stored.get(key) ?? 0, seq));
  };
  return { stored, write, writes: () => writes, failOnce: () => (failNext = true) };
}

describe('acks', () => {
  it('keeps only the acks of the current epoch', () => {
    const acks = { [ackKey('s:a', 'e1')]: 4, [ackKey('s:a', 'e2')]: 2, [ackKey('c:x', 'e2')]: 9 };
    assert.deepEqual([...currentEpochAcks(acks, 'e2')], [['s:a', 2], ['c:x', 9]]);
  });

  it('a burst of acks for one channel stores the highest once per flush, and every caller is answered', async () => {
    const store = slowStore();
    const writer = createAckWriter(store.write, 20);
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.store('sess', 's:sess', 'e1', i + 1)));
    assert.equal(store.stored.get(`sess/${ackKey('s:sess', 'e1')}`), 50);
    assert.equal(store.writes(), 1);
  });

  it('with flushMs 0 every ack is written at once', async () => {
    const store = slowStore();
    const writer = createAckWriter(store.write, 0);
    await writer.store('s', 'c:a', 'e1', 3);
    assert.equal(store.stored.get(`s/${ackKey('c:a', 'e1')}`), 3);
  });

  it('flush writes a session\'s pending acks before the timer, and leaves other sessions pending', async () => {
    const store = slowStore();
    const writer = createAckWriter(store.write, 60_000);
    void writer.store('a', 'c:x', 'e1', 4);
    void writer.store('b', 'c:x', 'e1', 9);
    await writer.flush('a');
    assert.deepEqual(Object.fromEntries(store.stored), { [`a/${ackKey('c:x', 'e1')}`]: 4 });
    await writer.flushAll();
    assert.equal(store.stored.get(`b/${ackKey('c:x', 'e1')}`), 9);
  });

  it('channels and epochs are written independently', async () => {
    const store = slowStore();
    const writer = createAckWriter(store.write, 5);
    await Promise.all([writer.store('s', 'c:a', 'e1', 3), writer.store('s', 'c:b', 'e1', 7), writer.store('s', 'c:a', 'e2', 1)]);
    assert.deepEqual(Object.fromEntries(store.stored), { [`s/${ackKey('c:a', 'e1')}`]: 3, [`s/${ackKey('c:b', 'e1')}`]: 7, [`s/${ackKey('c:a', 'e2')}`]: 1 });
  });

  it('a failed write rejects its callers and is retried with the next flush', async () => {
    const store = slowStore();
    const writer = createAckWriter(store.write, 5);
    store.failOnce();
    await assert.rejects(writer.store('s', 'c:a', 'e1', 5), /store unavailable/);
    await writer.flushAll();
    assert.equal(store.stored.get(`s/${ackKey('c:a', 'e1')}`), 5);
  });
});
