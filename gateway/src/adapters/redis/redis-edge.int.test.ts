/**
 * The edge on real Redis with two in-process gateways sharing one key prefix: rate limits are
 * fleet-wide, a session registered on one gateway is visible (and connectable) on the other, and
 * readiness follows the store.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needs, uniqueName } from '@ces/test/support/infra';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { mintSessionId } from '../../auth/session-ids.ts';
import { mustOpen } from '../ws/test-client.ts';
import { createRedis } from './redis-client.ts';
import { deletePrefix } from './redis-cleanup.ts';

function suite(name: string, url: string | undefined, mode: 'standalone' | 'cluster', skip: string | false): void {
  describe(`edge on ${name}`, { skip }, () => {
    const keyPrefix = uniqueName('ces-edge');
    let a: StartedGateway;
    let b: StartedGateway;
    before(async () => {
      const over = { redis: { url, mode, keyPrefix }, rateLimit: { registerPerIpPerMinute: 3, connectPerIpPerMinute: 1000 } };
      a = await startGateway({ ...over, node: uniqueName('a') });
      b = await startGateway({ ...over, node: uniqueName('b') });
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      const redis = createRedis({ url: url!, mode, keyPrefix, commandTimeoutMs: 2000 });
      await deletePrefix(redis, keyPrefix);
      await redis.close();
    });
    const register = (gw: StartedGateway, sessionId: string) =>
      fetch(`${gw.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });

    it('shares sessions: minted on A, registered on B, connected on A with a welcome', async () => {
      const created = await a.api('POST', '/api/sessions', { customerId: 'c' });
      const id = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
      assert.equal((await register(b, id)).status, 200);
      const s = await mustOpen(`${a.wsUrl}/ws/${id}`);
      assert.equal((await s.next()).type, 'welcome');
      const seenByB = (await (await b.api('GET', `/api/sessions/${id}`)).json()) as { session: { connected: boolean; node: string } };
      assert.deepEqual([seenByB.session.connected, seenByB.session.node], [true, a.config.node]);
      s.ws.close();
    });

    it('limits registrations per IP across the fleet: the budget spent on A is gone on B', async () => {
      // Three calls on A use up the per-IP budget of 3 (whatever earlier tests spent); B has served
      // at most one registration itself, so only a shared counter can refuse it.
      const onA: number[] = [];
      for (let i = 0; i < 3; i++) onA.push((await register(a, mintSessionId())).status);
      assert.equal(onA.at(-1), 429);
      const onB = await register(b, mintSessionId());
      assert.equal(onB.status, 429);
      assert.ok(Number(onB.headers.get('retry-after')) >= 1);
    });

    it('reports ready with the store reachable', async () => {
      assert.deepEqual(await (await fetch(`${b.url}/readyz`)).json(), { status: 'ok', checks: { store: true, delivery: true, accepting: true } });
    });
  });
}

const single = needs('redis');
suite('Redis single node', single.value?.url, 'standalone', single.skip);
const cluster = needs('redisCluster');
suite('Redis Cluster', cluster.value?.nodes.map((n) => `redis://${n.host}:${n.port}`).join(','), 'cluster', cluster.skip);
