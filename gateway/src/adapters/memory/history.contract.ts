/**
 * The History + Fanout contract, run against the in-memory twin (history.test.ts) and real Redis
 * single node and Cluster (adapters/redis/history.int.test.ts). Outcomes only: what a reader and
 * a live subscriber observe.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { History } from '../../ports/history.ts';
import type { Fanout } from '../../ports/fanout.ts';
import type { ChannelEntry, StoredMessage } from '../../core/record.ts';

export interface HistoryFixture {
  history: History;
  fanout: Fanout;
  /** Makes the channel's history disappear (meta TTL expiry / flush). */
  lose(channel: string): Promise<void>;
  /** Makes only the channel's entries disappear (entry TTL expiry of an idle channel). */
  expireEntries(channel: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContractOptions {
  maxEntries: number;
}

function message(n: number): StoredMessage {
  return { messageId: `m-${n}`, timestamp: new Date(0).toISOString(), data: { n }, source: { topic: 't', partition: 0, offset: String(n) } };
}

function collector(): { entries: ChannelEntry[]; listener: (e: ChannelEntry) => void; waitFor(count: number): Promise<void> } {
  const entries: ChannelEntry[] = [];
  return {
    entries,
    listener: (e) => entries.push(e),
    async waitFor(count) {
      for (let i = 0; i < 200 && entries.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

let counter = 0;
const uniqueChannel = (kind: string): string => `${kind}:contract-${process.pid}-${Date.now().toString(36)}-${counter++}`;

export function historyContract(name: string, options: ContractOptions, create: () => Promise<HistoryFixture>, skip: string | false = false): void {
  describe(`History contract: ${name}`, { skip }, () => {
    let f: HistoryFixture;
    before(async () => {
      f = await create();
    });
    after(async () => {
      await f?.close();
    });
    const opts = (n: number, reject = false) => ({ sourceId: `t-0-${n}`, rejectUnackedOverflow: reject });

    it('assigns gapless seqs from 1 in one epoch and reads them back in order', async () => {
      const ch = uniqueChannel('c');
      const results = [];
      for (let n = 1; n <= 5; n++) results.push(await f.history.append(ch, message(n), opts(n)));
      assert.deepEqual(results.map((r) => [r.status, r.seq]), [1, 2, 3, 4, 5].map((s) => ['appended', s]));
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
      const { window, entries } = await f.history.read(ch, 2, 10);
      assert.deepEqual(window, { epoch: results[0]!.epoch, top: 5, oldest: 1, acked: 0 });
      assert.deepEqual(entries.map((e) => [e.seq, e.message]), [3, 4, 5].map((n) => [n, message(n)]));
    });

    it('a redelivered source position returns the existing seq and is neither stored nor published again', async () => {
      const ch = uniqueChannel('s');
      const live = collector();
      await f.fanout.subscribe(ch, live.listener);
      const first = await f.history.append(ch, message(1), opts(1));
      await f.history.append(ch, message(2), opts(2));
      const again = await f.history.append(ch, message(1), opts(1));
      assert.deepEqual(again, { status: 'duplicate', seq: first.seq, epoch: first.epoch });
      await live.waitFor(2);
      await f.history.append(ch, message(3), opts(3));
      await live.waitFor(3);
      assert.deepEqual(live.entries.map((e) => e.seq), [1, 2, 3]);
      assert.equal((await f.history.read(ch, 0, 100)).entries.length, 3);
      await f.fanout.unsubscribe(ch, live.listener);
    });

    it('caps history by count: the oldest entries go, seq keeps counting', async () => {
      const ch = uniqueChannel('r');
      for (let n = 1; n <= options.maxEntries + 3; n++) await f.history.append(ch, message(n), opts(n));
      const { window, entries } = await f.history.read(ch, 0, 1000);
      assert.equal(window.top, options.maxEntries + 3);
      assert.equal(window.oldest, 4);
      assert.deepEqual(entries.map((e) => e.seq)[0], 4);
      assert.equal(entries.length, options.maxEntries);
    });

    it('an empty channel has a stable epoch before its first message, and that epoch is kept', async () => {
      const ch = uniqueChannel('c');
      const w1 = await f.history.window(ch);
      const w2 = await f.history.window(ch);
      assert.deepEqual(w1, w2);
      assert.deepEqual([w1.top, w1.oldest], [0, 1]);
      const appended = await f.history.append(ch, message(1), opts(1));
      assert.equal(appended.epoch, w1.epoch);
    });

    it('lost history starts a new epoch at seq 1', async () => {
      const ch = uniqueChannel('c');
      const before = await f.history.append(ch, message(1), opts(1));
      await f.lose(ch);
      const after = await f.history.append(ch, message(2), opts(2));
      assert.notEqual(after.epoch, before.epoch);
      assert.equal(after.seq, 1);
    });

    it('when only the entries of an idle channel expire, epoch and seq survive and counting continues', async () => {
      const ch = uniqueChannel('c');
      for (let n = 1; n <= 3; n++) await f.history.append(ch, message(n), opts(n));
      const before = await f.history.window(ch);
      await f.expireEntries(ch);
      assert.deepEqual(await f.history.window(ch), { epoch: before.epoch, top: 3, oldest: 4, acked: 0 });
      const next = await f.history.append(ch, message(4), opts(4));
      assert.deepEqual([next.status, next.seq, next.epoch], ['appended', 4, before.epoch]);
      assert.deepEqual((await f.history.read(ch, 0, 10)).entries.map((e) => e.seq), [4]);
    });

    it('rejects with overflow when a session channel is full of unacked entries, accepts again after an ack', async () => {
      const ch = uniqueChannel('s');
      for (let n = 1; n <= options.maxEntries; n++) await f.history.append(ch, message(n), opts(n, true));
      const full = await f.history.append(ch, message(99), opts(99, true));
      assert.equal(full.status, 'overflow');
      assert.equal((await f.history.window(ch)).top, options.maxEntries);
      await f.history.ack(ch, full.epoch, 2);
      const next = await f.history.append(ch, message(100), opts(100, true));
      assert.deepEqual([next.status, next.seq], ['appended', options.maxEntries + 1]);
      assert.equal((await f.history.window(ch)).oldest, 2);
    });

    it('ignores acks of another epoch and beyond the top', async () => {
      const ch = uniqueChannel('s');
      for (let n = 1; n <= options.maxEntries; n++) await f.history.append(ch, message(n), opts(n, true));
      const { epoch } = await f.history.window(ch);
      await f.history.ack(ch, 'other-epoch', 3);
      await f.history.ack(ch, epoch, options.maxEntries + 50);
      assert.equal((await f.history.append(ch, message(99), opts(99, true))).status, 'overflow');
    });

    it('reads the channel ack back with the window: it only rises, within the top, in its epoch', async () => {
      const ch = uniqueChannel('s');
      for (let n = 1; n <= 5; n++) await f.history.append(ch, message(n), opts(n));
      const { epoch } = await f.history.window(ch);
      await f.history.ack(ch, epoch, 4);
      await f.history.ack(ch, epoch, 2);
      await f.history.ack(ch, epoch, 9);
      await f.history.ack(ch, 'other-epoch', 5);
      assert.equal((await f.history.window(ch)).acked, 4);
      assert.equal((await f.history.read(ch, 0, 1)).window.acked, 4);
    });

    it('delivers live entries to every listener of the channel and none of another', async () => {
      const ch = uniqueChannel('r');
      const other = uniqueChannel('r');
      const a = collector();
      const b = collector();
      const c = collector();
      await f.fanout.subscribe(ch, a.listener);
      await f.fanout.subscribe(ch, b.listener);
      await f.fanout.subscribe(other, c.listener);
      await f.history.append(ch, message(1), opts(1));
      await a.waitFor(1);
      await b.waitFor(1);
      assert.deepEqual(a.entries.map((e) => [e.channel, e.seq, e.message]), [[ch, 1, message(1)]]);
      assert.deepEqual(b.entries.length, 1);
      assert.deepEqual(c.entries, []);
      await f.fanout.unsubscribe(ch, a.listener);
      await f.history.append(ch, message(2), opts(2));
      await b.waitFor(2);
      assert.equal(a.entries.length, 1);
      await f.fanout.unsubscribe(ch, b.listener);
      await f.fanout.unsubscribe(other, c.listener);
    });
  });
}
