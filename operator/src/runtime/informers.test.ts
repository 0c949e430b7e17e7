import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InformerSet } from './informers.ts';
import type { Informer } from './cluster.ts';

/** An informer whose first `failStarts` starts throw, and which can be made to die later. */
function flakyInformer(failStarts: number) {
  let onError: ((err: unknown) => void) | undefined;
  const state = { starts: 0, stops: 0 };
  const informer: Informer = {
    onChange: () => undefined,
    onError: (h) => (onError = h),
    start: async () => {
      state.starts += 1;
      if (state.starts <= failStarts) throw new Error('connection refused');
    },
    stop: async () => {
      state.stops += 1;
    },
  };
  return { informer, state, die: () => onError?.(new Error('watch failed')) };
}

const quiet = { warn: () => undefined };

describe('InformerSet', () => {
  it('retries a failing start with backoff and reports synced once every informer listed', async () => {
    const set = new InformerSet({ restartBaseMs: 1, restartMaxMs: 5 }, quiet);
    const flaky = flakyInformer(3);
    set.add('flaky', flaky.informer);
    await set.start();
    assert.equal(flaky.state.starts, 4);
    assert.equal(set.synced, true);
    await set.stop();
  });

  it('restarts an informer that stopped on an error, and not after stop()', async () => {
    const set = new InformerSet({ restartBaseMs: 1, restartMaxMs: 5 }, quiet);
    const flaky = flakyInformer(0);
    set.add('flaky', flaky.informer);
    await set.start();
    flaky.die();
    await sleep(30);
    assert.equal(flaky.state.starts, 2);
    await set.stop();
    flaky.die();
    await sleep(30);
    assert.equal(flaky.state.starts, 2);
    assert.equal(flaky.state.stops, 1);
  });
});
