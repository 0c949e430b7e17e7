/**
 * Connection lifecycle on an in-process gateway: heartbeat timeout against a raw socket that
 * never pongs, session TTL refresh while connected, revocation and take-over closes, drain.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { metricValue } from '../../observability/metrics.ts';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { mustOpen, mustRefuse } from './test-client.ts';

/** A WebSocket handshake done by hand on a TCP socket that then ignores everything (never pongs). */
async function rawDeafClient(port: number, sessionId: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET /ws/${sessionId} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const [head] = (await once(socket, 'data')) as [Buffer];
  assert.match(head.toString(), /^HTTP\/1\.1 101 /);
  socket.resume(); // read and drop pings: never answer them
  return socket;
}

describe('connection lifecycle', () => {
  const started: StartedGateway[] = [];
  after(() => Promise.all(started.map((g) => g.stop())));
  const gateway = async (over: object = {}) => {
    const gw = await startGateway(over);
    started.push(gw);
    return gw;
  };

  it('terminates a peer that stops answering pings and counts it as 4002', async () => {
    const gw = await gateway({ ws: { heartbeatIntervalMs: 100 } });
    const socket = await rawDeafClient(gw.port, await gw.newSession());
    await once(socket, 'close'); // ended by the server; the test timeout catches a hang
    // The server records the disconnect when its side of the socket closes, just after ours.
    let counted: number | undefined;
    for (let i = 0; i < 100 && counted !== 1; i++) {
      counted = await metricValue(gw.metrics.registry, 'ces_gateway_disconnects_total', { code: '4002' });
      if (counted !== 1) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(counted, 1);
  });

  it('keeps a connected session alive past its TTL and lets it expire after disconnect', async () => {
    const gw = await gateway({ ws: { heartbeatIntervalMs: 100 }, session: { tombstoneSeconds: 60 } });
    const created = await gw.api('POST', '/api/sessions', { customerId: 'c', ttlSeconds: 1 });
    const id = ((await created.json()) as { session: { sessionId: string } }).session.sessionId;
    await fetch(`${gw.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: id }) });
    const s = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    await new Promise((r) => setTimeout(r, 1500));
    const live = (await (await gw.api('GET', `/api/sessions/${id}`)).json()) as { session: { state: string; connected: boolean } };
    assert.deepEqual([live.session.state, live.session.connected], ['registered', true]);
    s.ws.close();
    await s.closed;
    await new Promise((r) => setTimeout(r, 1200));
    const gone = (await (await gw.api('GET', `/api/sessions/${id}`)).json()) as { session: { state: string; connected: boolean } };
    assert.deepEqual([gone.session.state, gone.session.connected], ['expired', false]);
    assert.equal((await mustRefuse(`${gw.wsUrl}/ws/${id}`)).status, 410);
  });

  it('closes the live socket with 4502 when the backend revokes the session', async () => {
    const gw = await gateway();
    const id = await gw.newSession();
    const s = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    await s.next((f) => f.type === 'welcome');
    assert.equal((await gw.api('DELETE', `/api/sessions/${id}`)).status, 200);
    assert.equal(await s.closed, 4502);
    assert.equal((await mustRefuse(`${gw.wsUrl}/ws/${id}`)).status, 403);
  });

  it('a second connection takes over: the first closes 4003, the second stays open', async () => {
    const gw = await gateway();
    const id = await gw.newSession();
    const first = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    await first.next((f) => f.type === 'welcome');
    const second = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    assert.equal(await first.closed, 4003);
    second.ws.send(JSON.stringify({ type: 'ping', id: 'still-here' }));
    assert.deepEqual(await second.next((f) => f.type === 'pong'), { type: 'pong', id: 'still-here' });
    const view = (await (await gw.api('GET', `/api/sessions/${id}`)).json()) as { session: { connected: boolean } };
    assert.equal(view.session.connected, true);
    second.ws.close();
  });

  it('limits WebSocket upgrades per IP with 429 RATE_LIMITED and Retry-After before the handshake', async () => {
    const gw = await gateway({ rateLimit: { connectPerIpPerMinute: 2 } });
    const id = await gw.newSession();
    for (let i = 0; i < 2; i++) {
      const s = await mustOpen(`${gw.wsUrl}/ws/${id}`);
      s.ws.close();
      await s.closed;
    }
    const refused = await mustRefuse(`${gw.wsUrl}/ws/${id}`);
    assert.deepEqual([refused.status, (refused.body as { errorCode: string }).errorCode], [429, 'RATE_LIMITED']);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
  });

  it('drain closes sockets with 4000, refuses new upgrades with 503 SHUTTING_DOWN and turns /readyz to 503', async () => {
    const gw = await gateway();
    const id = await gw.newSession();
    const s = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    await s.next((f) => f.type === 'welcome');
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
    const draining = gw.gateway.ws.drain(1000);
    assert.equal(await s.closed, 4000);
    await draining;
    const refused = await mustRefuse(`${gw.wsUrl}/ws/${id}`);
    assert.deepEqual([refused.status, (refused.body as { errorCode: string }).errorCode], [503, 'SHUTTING_DOWN']);
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { checks: { accepting: boolean } }).checks.accepting, false);
  });
});
