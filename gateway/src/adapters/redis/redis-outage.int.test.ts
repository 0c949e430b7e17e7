/**
 * Redis outage while serving: a TCP proxy in front of the real Redis is cut and restored. While
 * cut, registration answers 503 UNAVAILABLE, /readyz is 503 with store:false, /healthz stays 200
 * and the process stays up; after restore the gateway serves again without a restart.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { needs, uniqueName } from '@ces/test/support/infra';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { createRedis } from './redis-client.ts';
import { deletePrefix } from './redis-cleanup.ts';

/** A cuttable TCP proxy to host:port on a fixed local port. */
class Proxy {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  readonly target: { host: string; port: number };
  port = 0;
  constructor(target: { host: string; port: number }) {
    this.target = target;
  }
  async open(): Promise<void> {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => this.#sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as net.AddressInfo).port;
  }
  async cut(): Promise<void> {
    const closed = new Promise((r) => this.#server?.close(r));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}

const redis = needs('redis');

describe('gateway during a Redis outage', { skip: redis.skip }, () => {
  const keyPrefix = uniqueName('ces-outage');
  let proxy: Proxy;
  let gw: StartedGateway;
  before(async () => {
    proxy = new Proxy({ host: redis.value!.host, port: redis.value!.port });
    await proxy.open();
    gw = await startGateway({ redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix, commandTimeoutMs: 300 } });
  });
  after(async () => {
    await proxy.cut();
    await gw.stop();
    const conn = createRedis({ url: redis.value!.url, mode: 'standalone', keyPrefix, commandTimeoutMs: 2000 });
    await deletePrefix(conn, keyPrefix);
    await conn.close();
  });
  const register = async (sessionId: string) => {
    const res = await fetch(`${gw.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });
    return { status: res.status, body: (await res.json()) as { errorCode?: string } };
  };

  it('answers UNAVAILABLE and not-ready while Redis is unreachable, and recovers when it returns', async () => {
    const created = await gw.api('POST', '/api/sessions', { customerId: 'c' });
    const id = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    await proxy.cut();
    const down = await register(id);
    assert.deepEqual([down.status, down.body.errorCode], [503, 'UNAVAILABLE']);
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { checks: { store: boolean } }).checks.store, false);
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);

    await proxy.open(); // same port: ioredis reconnects with its backoff
    let up = await register(id);
    for (let i = 0; i < 100 && up.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      up = await register(id);
    }
    assert.equal(up.status, 200);
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  });
});
