import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller } from './controller.ts';
import { TerminalError } from './result.ts';
import type { ObjectKey, ReconcileResult } from './result.ts';

const queue = { baseDelayMs: 5, maxDelayMs: 100, ratePerSecond: 0, burst: 0, concurrency: 2 };

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await sleep(5);
  }
}

describe('Controller', () => {
  it('retries a failing key with growing delays until it succeeds, then stops retrying', async () => {
    const calls: number[] = [];
    const retries: number[] = [];
    const controller = new Controller({
      ...queue,
      resyncMs: 0,
      reconcile: async () => {
        calls.push(Date.now());
        if (calls.length <= 3) throw new Error('API server unavailable');
        return {};
      },
      hooks: { onRetry: (_key, delay) => retries.push(delay) },
    });
    controller.start();
    controller.enqueue('ns/a');
    await until(() => calls.length === 4);
    await sleep(50);
    assert.equal(calls.length, 4, 'no more passes after success');
    assert.deepEqual(retries, [5, 10, 20]);
    await controller.stop(1000);
  });

  it('does not retry a TerminalError until the key is enqueued again', async () => {
    let calls = 0;
    const controller = new Controller({
      ...queue,
      resyncMs: 0,
      reconcile: async () => {
        calls += 1;
        throw new TerminalError('invalid spec');
      },
    });
    controller.start();
    controller.enqueue('ns/a');
    await until(() => calls === 1);
    await sleep(50);
    assert.equal(calls, 1);
    controller.enqueue('ns/a');
    await until(() => calls === 2);
    await controller.stop(1000);
  });

  it('requeues after requeueAfterMs, and never runs one key twice at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const seen: string[] = [];
    const controller = new Controller({
      ...queue,
      resyncMs: 0,
      reconcile: async (key: ObjectKey): Promise<ReconcileResult> => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        seen.push(key.name);
        await sleep(10);
        running -= 1;
        return seen.length < 3 ? { requeueAfterMs: 5 } : {};
      },
    });
    for (let i = 0; i < 5; i++) controller.enqueue('ns/a'); // deduplicated into one pass
    controller.start();
    controller.enqueue('ns/a'); // arrives while in flight: one more pass after this one, never a parallel one
    await until(() => seen.length >= 3);
    await sleep(50);
    assert.equal(maxRunning, 1);
    // Pass 1 (requeue) → the in-flight add → pass 2 (requeue) → pass 3 ({}) → then nothing: a
    // requeue timer that fired during a pass merged into the next one instead of adding a pass.
    assert.ok(seen.length >= 3 && seen.length <= 4, `passes: ${seen.length}`);
    const settled = seen.length;
    await sleep(50);
    assert.equal(seen.length, settled, 'no pass after one returned {}');
    await controller.stop(1000);
  });

  it('lets an in-flight pass finish on stop', async () => {
    let finished = false;
    const controller = new Controller({
      ...queue,
      resyncMs: 0,
      reconcile: async () => {
        await sleep(50);
        finished = true;
        return {};
      },
    });
    controller.start();
    controller.enqueue('ns/a');
    await sleep(10);
    await controller.stop(1000);
    assert.equal(finished, true);
  });
});
