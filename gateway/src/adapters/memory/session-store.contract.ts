/**
 * The SessionStore contract, run against every implementation: memory (memory-session-store.test.ts),
 * Redis single node and Redis Cluster (redis-session-store.int.test.ts). Time is a controllable
 * clock so expiry is tested without waiting; only "forgotten after the tombstone" also waits for
 * Redis' real key TTL (short).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewSession, SessionStore, SessionStoreOptions } from '../../ports/session-store.ts';

export interface StoreFactory {
  (options: SessionStoreOptions): Promise<SessionStore>;
}

export function sessionStoreContract(name: string, factory: StoreFactory, options: { skip?: string | false; cleanup?: () => Promise<void> } = {}): void {
  describe(`SessionStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let now = Date.now();
    const clock = () => now;
    let store: SessionStore;
    const TOMBSTONE = 150;
    before(async () => {
      store = await factory({ tombstoneMs: TOMBSTONE, now: clock });
    });
    after(async () => {
      await store.close();
      await options.cleanup?.();
    });
    const fresh = (over: Partial<NewSession> = {}): NewSession => ({
      sessionId: randomBytes(18).toString('base64url'),
      customerId: 'cust-1',
      rooms: ['lobby'],
      ttlMs: 60_000,
      ...over,
    });

    it('creates a session in state created, and a second create with the same id says exists', async () => {
      const s = fresh();
      assert.equal(await store.create(s, 1000), 'created');
      assert.equal(await store.create(s, 1000), 'exists');
      const got = await store.get(s.sessionId);
      assert.deepEqual({ ...got, createdAt: 0 }, { ...s, state: 'created', createdAt: 0, expiresAt: now + s.ttlMs, holder: undefined });
    });

    it('returns undefined for an unknown session and not_found on register', async () => {
      const id = fresh().sessionId;
      assert.equal(await store.get(id), undefined);
      assert.deepEqual(await store.register(id), { ok: false, reason: 'not_found' });
    });

    it('registers a created session with a fresh expiry, and registering again extends it', async () => {
      const s = fresh({ ttlMs: 10_000 });
      await store.create(s, 1000);
      now += 2000;
      const first = await store.register(s.sessionId);
      assert.equal(first.ok, true);
      assert.equal(first.ok && first.session.state, 'registered');
      assert.equal(first.ok && first.session.expiresAt, now + 10_000);
      now += 5000;
      const again = await store.register(s.sessionId);
      assert.equal(again.ok && again.session.expiresAt, now + 10_000);
    });

    it('reads an expired session as expired, refuses to register or refresh it, and excludes it from count', async () => {
      const s = fresh({ ttlMs: 1000 });
      await store.create(s, 1000);
      const before = await store.count();
      now += 1001;
      assert.equal((await store.get(s.sessionId))?.state, 'expired');
      assert.deepEqual(await store.register(s.sessionId), { ok: false, reason: 'expired' });
      assert.equal(await store.refresh(s.sessionId), false);
      assert.equal(await store.count(), before - 1);
    });

    it('refresh keeps a registered session alive past its original expiry', async () => {
      const s = fresh({ ttlMs: 1000 });
      await store.create(s, 1000);
      await store.register(s.sessionId);
      now += 800;
      assert.equal(await store.refresh(s.sessionId), true);
      now += 800;
      assert.equal((await store.get(s.sessionId))?.state, 'registered');
    });

    it('revoke marks the session revoked, returns its holder, and it can never register again', async () => {
      const s = fresh();
      await store.create(s, 1000);
      await store.register(s.sessionId);
      await store.claimHolder(s.sessionId, { node: 'n1', connId: 'c1' });
      assert.deepEqual(await store.revoke(s.sessionId), { holder: { node: 'n1', connId: 'c1' } });
      assert.equal((await store.get(s.sessionId))?.state, 'revoked');
      assert.deepEqual(await store.register(s.sessionId), { ok: false, reason: 'revoked' });
      assert.deepEqual(await store.registerClaims(s, 1000), { ok: false, reason: 'revoked' });
      assert.equal(await store.refresh(s.sessionId), false);
      assert.equal(await store.revoke(fresh().sessionId), undefined);
    });

    it('registerClaims creates a registered session, updates a live one, and replaces an expired one', async () => {
      const s = fresh({ ttlMs: 1000 });
      const created = await store.registerClaims(s, 1000);
      assert.equal(created.ok && created.session.state, 'registered');
      const updated = await store.registerClaims({ ...s, rooms: ['a', 'b'] }, 1000);
      assert.deepEqual(updated.ok && updated.session.rooms, ['a', 'b']);
      now += 1001;
      const replaced = await store.registerClaims(s, 1000);
      assert.equal(replaced.ok && replaced.session.state, 'registered');
    });

    it('enforces max on create and registerClaims, counting only live sessions', async () => {
      const max = (await store.count()) + 2;
      assert.equal(await store.create(fresh(), max), 'created');
      const victim = fresh();
      assert.equal(await store.create(victim, max), 'created');
      assert.equal(await store.create(fresh(), max), 'capacity');
      assert.deepEqual(await store.registerClaims(fresh(), max), { ok: false, reason: 'capacity' });
      await store.revoke(victim.sessionId);
      assert.equal(await store.create(fresh(), max), 'created');
    });

    it('claimHolder returns the previous holder; releaseHolder only clears its own connection', async () => {
      const s = fresh();
      await store.create(s, 1000);
      assert.equal(await store.claimHolder(s.sessionId, { node: 'n1', connId: 'c1' }), undefined);
      assert.deepEqual(await store.claimHolder(s.sessionId, { node: 'n2', connId: 'c2' }), { node: 'n1', connId: 'c1' });
      await store.releaseHolder(s.sessionId, 'c1');
      assert.deepEqual((await store.get(s.sessionId))?.holder, { node: 'n2', connId: 'c2' });
      await store.releaseHolder(s.sessionId, 'c2');
      assert.equal((await store.get(s.sessionId))?.holder, undefined);
      assert.equal(await store.claimHolder(fresh().sessionId, { node: 'n', connId: 'c' }), undefined);
    });

    it('saveAck is monotonic per channel and acks are per session', async () => {
      const a = fresh();
      const b = fresh();
      await store.create(a, 1000);
      await store.create(b, 1000);
      await store.saveAck(a.sessionId, 's:x', 5);
      await store.saveAck(a.sessionId, 's:x', 3);
      await store.saveAck(a.sessionId, '*', 1);
      await store.saveAck(b.sessionId, 's:x', 9);
      assert.deepEqual(await store.getAcks(a.sessionId), { 's:x': 5, '*': 1 });
      assert.deepEqual(await store.getAcks(b.sessionId), { 's:x': 9 });
      await store.saveAck(fresh().sessionId, 's:x', 1);
      assert.deepEqual(await store.getAcks(fresh().sessionId), {});
    });

    it('sweep drops expired sessions from the count', async () => {
      await store.create(fresh({ ttlMs: 500 }), 1000);
      now += 501;
      await store.sweep();
      const counted = await store.count();
      assert.equal(await store.sweep(), 0);
      assert.equal(await store.count(), counted);
    });

    it('forgets an expired session (and its acks) after the tombstone period', async () => {
      const s = fresh({ ttlMs: 50 });
      await store.create(s, 1000);
      await store.saveAck(s.sessionId, 's:x', 1);
      now += 50 + TOMBSTONE + 1;
      await sleep(50 + TOMBSTONE + 100); // Redis expires keys in real time
      assert.equal(await store.get(s.sessionId), undefined);
      assert.deepEqual(await store.getAcks(s.sessionId), {});
    });

    it('ping succeeds on a reachable store', async () => {
      await store.ping();
    });
  });
}
