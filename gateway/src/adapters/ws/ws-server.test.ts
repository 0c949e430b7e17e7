/**
 * GET /ws/{sessionId} on an in-process gateway (memory stores, real sockets): who gets a socket
 * (only registered, unexpired, unrevoked sessions from allowed origins), the welcome frame, and
 * hostile input — each answered with its documented error while the process keeps serving.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { PROTOCOL } from '@ces/contracts/protocol';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { mintSessionId } from '../../auth/session-ids.ts';
import { mustOpen, mustRefuse } from './test-client.ts';

const ORIGIN = 'https://app.example.com';

describe('WebSocket upgrade and frames', () => {
  let gw: StartedGateway;
  before(async () => {
    gw = await startGateway({ ws: { allowedOrigins: [ORIGIN], maxFrameBytes: 1024, maxInvalidFrames: 2, heartbeatIntervalMs: 5000 }, rateLimit: { framesPerSessionPerSecond: 20 } });
  });
  after(() => gw.stop());
  const wsUrl = (id: string, query = '') => `${gw.wsUrl}/ws/${id}${query}`;
  const stillUp = async () => assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);

  it('opens a registered session with the welcome frame first', async () => {
    const id = await gw.newSession();
    const s = await mustOpen(wsUrl(id), { headers: { origin: ORIGIN } }, [PROTOCOL]);
    assert.equal(s.ws.protocol, PROTOCOL);
    const first = await s.next();
    assert.equal(first.type, 'welcome');
    assert.ok(first.type === 'welcome' && first.sessionId === id && first.protocol === PROTOCOL && first.node === gw.config.node);
    assert.equal(first.type === 'welcome' && first.heartbeatIntervalMs, 5000);
    s.ws.close();
  });

  it('never upgrades unknown, forged, unregistered, revoked or expired sessions', async () => {
    const minted = await gw.api('POST', '/api/sessions', { customerId: 'c' });
    const unregistered = ((await minted.json()) as { session: { sessionId: string } }).session.sessionId;
    const revoked = await gw.newSession();
    await gw.api('DELETE', `/api/sessions/${revoked}`);
    const shortLived = await gw.api('POST', '/api/sessions', { customerId: 'c', ttlSeconds: 1 });
    const expired = ((await shortLived.json()) as { session: { sessionId: string } }).session.sessionId;
    await fetch(`${gw.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: expired }) });
    await new Promise((r) => setTimeout(r, 1100));
    const cases: [string, number, string][] = [
      [mintSessionId(), 404, 'SESSION_NOT_FOUND'],
      [unregistered, 403, 'SESSION_NOT_REGISTERED'],
      [revoked, 403, 'SESSION_REVOKED'],
      [expired, 410, 'SESSION_EXPIRED'],
      ['not-a-valid-id', 400, 'INVALID_SESSION'],
      ['%E0%A4%A', 400, 'INVALID_SESSION'],
    ];
    for (const [id, status, errorCode] of cases) {
      const refused = await mustRefuse(wsUrl(id));
      assert.equal(refused.status, status, errorCode);
      assert.equal((refused.body as { errorCode: string }).errorCode, errorCode);
      assert.equal((refused.body as { status: string }).status, 'error');
    }
    await stillUp();
  });

  it('refuses a wrong Origin, credentials in the URL, a bad resume parameter and other paths before the upgrade', async () => {
    const id = await gw.newSession();
    const origin = await mustRefuse(wsUrl(id), { headers: { origin: 'https://evil.example.com' } });
    assert.deepEqual([origin.status, (origin.body as { errorCode: string }).errorCode], [403, 'FORBIDDEN_ORIGIN']);
    const token = await mustRefuse(wsUrl(id, '?access_token=secret'));
    assert.deepEqual([token.status, (token.body as { errorCode: string }).errorCode], [400, 'TOKEN_IN_URL']);
    for (const resume of ['!!', Buffer.from('not json').toString('base64url'), Buffer.from('{"s:x":{"seq":-1,"epoch":"e"}}').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      const bad = await mustRefuse(wsUrl(id, `?resume=${resume}`));
      assert.deepEqual([bad.status, (bad.body as { errorCode: string }).errorCode], [400, 'INVALID_REQUEST'], resume);
    }
    const other = await mustRefuse(`${gw.wsUrl}/elsewhere/${id}`);
    assert.equal(other.status, 404);
    const good = await mustOpen(wsUrl(id, `?resume=${Buffer.from('{"s:x":{"seq":3,"epoch":"e1"}}').toString('base64url')}`), { headers: { origin: ORIGIN } });
    assert.equal((await good.next()).type, 'welcome');
    good.ws.close();
  });

  it('answers ping with pong, and malformed, unknown or binary frames with error frames, then closes 4500 on repeated abuse', async () => {
    const s = await mustOpen(wsUrl(await gw.newSession()));
    await s.next((f) => f.type === 'welcome');
    s.ws.send(JSON.stringify({ type: 'ping', id: 'p1' }));
    assert.deepEqual(await s.next((f) => f.type === 'pong'), { type: 'pong', id: 'p1' });
    s.ws.send('{not json');
    const e1 = await s.next((f) => f.type === 'error');
    assert.equal(e1.type === 'error' && e1.code, 'INVALID_FRAME');
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.ok(await s.next((f) => f.type === 'error' && f.code === 'BINARY_NOT_SUPPORTED'));
    s.ws.send(JSON.stringify({ type: 'teleport' }));
    assert.equal(await s.closed, 4500);
    await stillUp();
  });

  it('closes 4504 for a frame over maxFrameBytes, 1009 far over it, and 1007 for invalid UTF-8', async () => {
    const a = await mustOpen(wsUrl(await gw.newSession()));
    a.ws.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(1500) }));
    assert.equal(await a.closed, 4504);
    const b = await mustOpen(wsUrl(await gw.newSession()));
    b.ws.send('x'.repeat(10_000));
    assert.equal(await b.closed, 1009);
    const c = await mustOpen(wsUrl(await gw.newSession()));
    c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal(await c.closed, 1007);
    await stillUp();
  });

  it('closes 4004 (try later) when a session floods frames past its rate', async () => {
    const s = await mustOpen(wsUrl(await gw.newSession()));
    for (let i = 0; i < 50; i++) s.ws.send(JSON.stringify({ type: 'ping' }));
    assert.equal(await s.closed, 4004);
  });

  it('cuts off a slow-loris upgrade that never finishes its headers', async () => {
    const socket = net.connect(gw.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /ws/${mintSessionId()} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`);
    socket.resume();
    await once(socket, 'close'); // the server hangs up after headersTimeoutMs; the test timeout catches a hang
    await stillUp();
  });
});
