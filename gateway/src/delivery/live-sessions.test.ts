/**
 * The session-liveness memo of the consume path, on the in-memory session store and a fake clock:
 * what a record for a session sees before and after create, revoke and the memo's lifetime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySessionStore } from '../adapters/memory/memory-session-store.ts';
import { createLiveSessions } from './live-sessions.ts';
import type { Session } from '../ports/session-store.ts';

function setup(ttlMs: number) {
  let clock = 1_000_000;
  const now = () => clock;
  const store = new MemorySessionStore({ tombstoneMs: 60_000, now });
  const live = createLiveSessions(store, ttlMs, now);
  const create = (id: string) => store.create({ sessionId: id, customerId: 'c', rooms: [], ttlMs: 600_000 }, 100);
  return { store, live, create, advance: (ms: number) => (clock += ms) };
}

describe('live sessions memo', () => {
  it('a session unknown a moment ago is live as soon as it exists (absent sessions are not remembered)', async () => {
    const t = setup(1000);
    assert.equal(await t.live.isLive('s1'), false);
    await t.create('s1');
    assert.equal(await t.live.isLive('s1'), true);
  });

  it('a revoked session stays live for at most the memo lifetime, then is seen as gone', async () => {
    const t = setup(1000);
    await t.create('s2');
    assert.equal(await t.live.isLive('s2'), true);
    await t.store.revoke('s2');
    t.advance(999);
    assert.equal(await t.live.isLive('s2'), true, 'still inside the memo lifetime');
    t.advance(1);
    assert.equal(await t.live.isLive('s2'), false);
  });

  it('with a lifetime of 0 every lookup reads the store', async () => {
    const t = setup(0);
    await t.create('s3');
    assert.equal(await t.live.isLive('s3'), true);
    await t.store.revoke('s3');
    assert.equal(await t.live.isLive('s3'), false);
  });

  it('a failed read is not remembered: the next lookup reads again', async () => {
    let fail = true;
    const session: Session = { sessionId: 's4', customerId: 'c', rooms: [], state: 'registered', createdAt: 0, expiresAt: Infinity, ttlMs: 1, holder: undefined };
    const flaky = { get: async () => { if (fail) throw new Error('redis down'); return session; } };
    const live = createLiveSessions(flaky, 60_000);
    await assert.rejects(live.isLive('s4'), /redis down/);
    fail = false;
    assert.equal(await live.isLive('s4'), true);
  });
});
