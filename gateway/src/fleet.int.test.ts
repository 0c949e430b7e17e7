/**
 * Two gateway processes sharing one Redis (single node and Cluster): a session registered on one
 * connects on the other; a newer connection on B takes over the one on A (A's client sees 4003);
 * revocation through B closes the socket on A with 4502; SIGTERM drains with 4000 and exit 0.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needs, uniqueName } from '@ces/test/support/infra';
import { spawnGateway, type SpawnedGateway } from './testing/spawn-gateway.ts';
import { mustOpen, mustRefuse } from './adapters/ws/test-client.ts';
import { createRedis } from './adapters/redis/redis-client.ts';
import { deletePrefix } from './adapters/redis/redis-cleanup.ts';

function fleet(name: string, redisUrl: string | undefined, mode: 'standalone' | 'cluster', skip: string | false): void {
  describe(`fleet of two gateways on ${name}`, { skip }, () => {
    const keyPrefix = uniqueName('ces-fleet');
    let a: SpawnedGateway;
    let b: SpawnedGateway;
    before(async () => {
      const redis = { url: redisUrl, mode, keyPrefix };
      [a, b] = await Promise.all([spawnGateway({ node: uniqueName('gw-a'), redis }), spawnGateway({ node: uniqueName('gw-b'), redis })]);
    });
    after(async () => {
      await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
      const redis = createRedis({ url: redisUrl!, mode, keyPrefix, commandTimeoutMs: 2000 });
      await deletePrefix(redis, keyPrefix);
      await redis.close();
    });
    const api = (gw: SpawnedGateway, method: string, path: string, body?: unknown) =>
      fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${gw.apiToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    async function session(minter: SpawnedGateway, registrar: SpawnedGateway): Promise<string> {
      const created = await api(minter, 'POST', '/api/sessions', { customerId: 'fleet-customer' });
      const id = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
      const reg = await fetch(`${registrar.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: id }) });
      assert.equal(reg.status, 200);
      return id;
    }

    it('minted on A, registered on B, connects on either; a connection on B takes over the one on A', async () => {
      const id = await session(a, b);
      const onA = await mustOpen(`${a.wsUrl}/ws/${id}`);
      const welcomeA = await onA.next((f) => f.type === 'welcome');
      const onB = await mustOpen(`${b.wsUrl}/ws/${id}`);
      const welcomeB = await onB.next((f) => f.type === 'welcome');
      assert.notEqual(welcomeA.type === 'welcome' && welcomeA.node, welcomeB.type === 'welcome' && welcomeB.node);
      assert.equal(await onA.closed, 4003);
      const view = (await (await api(a, 'GET', `/api/sessions/${id}`)).json()) as { session: { connected: boolean; node: string } };
      assert.equal(view.session.connected, true);
      assert.equal(view.session.node, welcomeB.type === 'welcome' ? welcomeB.node : '');
      onB.ws.close();
    });

    it('revocation through B closes the socket held by A with 4502, and A refuses it afterwards', async () => {
      const id = await session(b, a);
      const onA = await mustOpen(`${a.wsUrl}/ws/${id}`);
      await onA.next((f) => f.type === 'welcome');
      assert.equal((await api(b, 'DELETE', `/api/sessions/${id}`)).status, 200);
      assert.equal(await onA.closed, 4502);
      const refused = await mustRefuse(`${a.wsUrl}/ws/${id}`);
      assert.deepEqual([refused.status, (refused.body as { errorCode: string }).errorCode], [403, 'SESSION_REVOKED']);
    });

    it('SIGTERM drains: the client sees 4000 (reconnect elsewhere), the process exits 0, and the other gateway still serves the session', async () => {
      const id = await session(a, a);
      const onB = await mustOpen(`${b.wsUrl}/ws/${id}`);
      await onB.next((f) => f.type === 'welcome');
      const exit = b.stop('SIGTERM');
      assert.equal(await onB.closed, 4000);
      assert.equal(await exit, 0);
      const again = await mustOpen(`${a.wsUrl}/ws/${id}`);
      assert.equal((await again.next()).type, 'welcome');
      again.ws.close();
      assert.ok(b.logs.some((l) => l.includes('"event":"stopped"')));
    });
  });
}

const single = needs('redis');
fleet('Redis single node', single.value?.url, 'standalone', single.skip);
const cluster = needs('redisCluster');
fleet('Redis Cluster', cluster.value?.nodes.map((n) => `redis://${n.host}:${n.port}`).join(','), 'cluster', cluster.skip);
