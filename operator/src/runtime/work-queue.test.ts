import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.ts';

const options = { baseDelayMs: 5, maxDelayMs: 1000, ratePerSecond: 0, burst: 0 };

describe('WorkQueue', () => {
  it('hands out a key added many times once', async () => {
    const q = new WorkQueue(options);
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.length, 0);
  });

  it('never hands the same key to two workers; a re-add during processing queues it again after done', async () => {
    const q = new WorkQueue(options);
    q.add('a');
    const first = await q.get();
    q.add('a');
    assert.equal(q.length, 0, 'the key in flight is not handed out again');
    q.done(first!);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
  });

  it('wakes a waiting worker when a key arrives', async () => {
    const q = new WorkQueue(options);
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
  });

  it('backs off exponentially per key up to the cap, and forget resets it', () => {
    const q = new WorkQueue(options);
    const delays = Array.from({ length: 10 }, () => q.addRateLimited('k'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    assert.equal(q.addRateLimited('other'), 5, 'backoff is per key');
    q.forget('k');
    assert.equal(q.backoffDelay('k'), 5);
    q.shutDown();
  });

  it('limits the global retry rate with a token bucket once the burst is spent', () => {
    const now = 1_000_000;
    const q = new WorkQueue({ baseDelayMs: 1, maxDelayMs: 1, ratePerSecond: 10, burst: 2, now: () => now });
    const delays = ['a', 'b', 'c', 'd'].map((k) => q.addRateLimited(k));
    assert.deepEqual(delays, [1, 1, 100, 200]);
    q.shutDown();
  });

  it('delivers a delayed key after its delay, keeping the earliest of two delays', async () => {
    const q = new WorkQueue(options);
    q.addAfter('late', 10_000);
    q.addAfter('late', 5);
    assert.equal(await q.get(), 'late');
    q.shutDown();
  });

  it('releases waiting workers with undefined on shutdown and refuses new keys', async () => {
    const q = new WorkQueue(options);
    const pending = q.get();
    q.shutDown();
    assert.equal(await pending, undefined);
    q.add('a');
    assert.equal(await q.get(), undefined);
  });
});
