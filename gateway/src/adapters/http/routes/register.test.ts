/**
 * POST /api/register: the seed 000 §6.1 bodies field for field, and every error code a client
 * can get, on an in-process gateway (memory stores) reached over real HTTP.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { SignJWT, generateKeyPair, exportSPKI, exportJWK } from 'jose';
import { startGateway, type StartedGateway } from '../../../testing/start-gateway.ts';
import { MemorySessionStore } from '../../memory/memory-session-store.ts';
import { mintSessionId } from '../../../auth/session-ids.ts';
import { mustOpen } from '../../ws/test-client.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

async function register(gw: StartedGateway, body: unknown, headers: Record<string, string> = {}, raw = false): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${gw.url}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const error = (message: string, errorCode: string) => ({ status: 'error', message, errorCode });

describe('POST /api/register (registry mode)', () => {
  const started: StartedGateway[] = [];
  after(() => Promise.all(started.map((g) => g.stop())));
  const gateway = async (over: object = {}) => {
    const gw = await startGateway({ http: { publicUrl: 'https://events.example.com/' }, ...over });
    started.push(gw);
    return gw;
  };

  it('registers a minted session and answers exactly the seed body with a wss URL from the public URL', async () => {
    const gw = await gateway();
    const created = await gw.api('POST', '/api/sessions', { customerId: 'c-1', rooms: ['lobby'] });
    assert.equal(created.status, 201);
    const { session } = (await created.json()) as { session: { sessionId: string; state: string } };
    assert.equal(session.state, 'created');
    assert.match(session.sessionId, /^[A-Za-z0-9_-]{32}$/);
    const res = await register(gw, { sessionId: session.sessionId });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'success', message: 'Session registered successfully', websocketUrl: `wss://events.example.com/ws/${session.sessionId}` });
  });

  it('INVALID_SESSION for a missing, mistyped or malformed session id', async () => {
    const gw = await gateway();
    for (const body of [{}, { sessionId: 42 }, { sessionId: 'short' }, { sessionId: 'x'.repeat(129) }, { sessionId: '../../etc/passwd-aaaaaaaaaaaaaaaa' }, { sessionId: null }]) {
      const res = await register(gw, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.body, error('Invalid session ID', 'INVALID_SESSION'));
    }
  });

  it('SESSION_NOT_FOUND for a well-formed id nobody minted', async () => {
    const gw = await gateway();
    const res = await register(gw, { sessionId: mintSessionId() });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, error('Session not found', 'SESSION_NOT_FOUND'));
  });

  it('SESSION_REVOKED after the backend revoked the session', async () => {
    const gw = await gateway();
    const id = await gw.newSession();
    assert.equal((await gw.api('DELETE', `/api/sessions/${id}`)).status, 200);
    const res = await register(gw, { sessionId: id });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, error('Session was revoked', 'SESSION_REVOKED'));
  });

  it('SESSION_EXPIRED once the session TTL ran out', async () => {
    const gw = await gateway();
    const created = await gw.api('POST', '/api/sessions', { customerId: 'c-1', ttlSeconds: 1 });
    const { session } = (await created.json()) as { session: { sessionId: string } };
    await new Promise((r) => setTimeout(r, 1100));
    const res = await register(gw, { sessionId: session.sessionId });
    assert.equal(res.status, 410);
    assert.deepEqual(res.body, error('Session expired', 'SESSION_EXPIRED'));
  });

  it('RATE_LIMITED with Retry-After past the per-IP budget', async () => {
    const gw = await gateway({ rateLimit: { registerPerIpPerMinute: 2 } });
    const id = mintSessionId();
    await register(gw, { sessionId: id });
    await register(gw, { sessionId: id });
    const res = await register(gw, { sessionId: id });
    assert.equal(res.status, 429);
    assert.deepEqual(res.body, error('Too many requests', 'RATE_LIMITED'));
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  });

  it('CAPACITY_EXCEEDED when session.max live sessions exist', async () => {
    const gw = await gateway({ session: { max: 1 } });
    assert.equal((await gw.api('POST', '/api/sessions', { customerId: 'a' })).status, 201);
    const res = await gw.api('POST', '/api/sessions', { customerId: 'b' });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), error('Maximum number of sessions reached', 'CAPACITY_EXCEEDED'));
  });

  it('PAYLOAD_TOO_LARGE, INVALID_REQUEST, UNSUPPORTED_MEDIA_TYPE and TOKEN_IN_URL for hostile bodies and URLs', async () => {
    const gw = await gateway();
    const big = await register(gw, { sessionId: 'x'.repeat(40_000) });
    assert.equal(big.status, 413);
    assert.equal((big.body as { errorCode: string }).errorCode, 'PAYLOAD_TOO_LARGE');
    for (const raw of ['{bad', '[]', '"str"', '{"sessionId":"aaaaaaaaaaaaaaaaaaaaaaaa","extra":1}', '{"__proto__":{"x":1},"sessionId":"aaaaaaaaaaaaaaaaaaaaaaaa"}', '']) {
      const res = await register(gw, raw, {}, true);
      assert.equal(res.status, 400, raw);
      assert.equal((res.body as { status: string }).status, 'error');
      assert.match((res.body as { errorCode: string }).errorCode, /^(INVALID_REQUEST|INVALID_SESSION)$/, raw);
    }
    const text = await register(gw, 'sessionId=x', { 'content-type': 'text/plain' }, true);
    assert.equal(text.status, 415);
    assert.equal((text.body as { errorCode: string }).errorCode, 'UNSUPPORTED_MEDIA_TYPE');
    const inUrl = await fetch(`${gw.url}/api/register?token=abc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(inUrl.status, 400);
    assert.equal(((await inUrl.json()) as { errorCode: string }).errorCode, 'TOKEN_IN_URL');
  });

  it('UNAVAILABLE (503) when the session store fails, and the gateway keeps serving', async () => {
    const store = new MemorySessionStore({ tombstoneMs: 1000 });
    store.register = async () => {
      throw new Error('store down');
    };
    const gw = await startGateway({}, { sessions: store });
    started.push(gw);
    const res = await register(gw, { sessionId: mintSessionId() });
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, error('A dependency is unavailable', 'UNAVAILABLE'));
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  });

  it('backend endpoints refuse a missing or wrong bearer token with UNAUTHORIZED', async () => {
    const gw = await gateway();
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${gw.config.auth.apiToken}`]) {
      const res = await fetch(`${gw.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{"customerId":"c"}' });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'UNAUTHORIZED');
    }
  });
});

describe('POST /api/register (jwt mode)', () => {
  const started: StartedGateway[] = [];
  after(() => Promise.all(started.map((g) => g.stop())));
  const hs256 = (claims: Record<string, unknown>, expSeconds = 60, secret = SECRET) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds).sign(new TextEncoder().encode(secret));

  it('registers a session carried in an HS256 token and refuses missing, forged, foreign and expired tokens', async () => {
    const gw = await startGateway({ auth: { mode: 'jwt', jwtSecret: SECRET }, session: { max: 10 } });
    started.push(gw);
    const sid = mintSessionId();
    const ok = await register(gw, { sessionId: sid }, { authorization: `Bearer ${await hs256({ sid, sub: 'cust-9', rooms: ['r1'] })}` });
    assert.equal(ok.status, 200);
    assert.equal((ok.body as { websocketUrl: string }).websocketUrl, `${gw.wsUrl}/ws/${sid}`);
    const view = (await (await gw.api('GET', `/api/sessions/${sid}`)).json()) as { session: { customerId: string; rooms: string[]; state: string } };
    assert.deepEqual([view.session.customerId, view.session.rooms, view.session.state], ['cust-9', ['r1'], 'registered']);

    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'UNAUTHORIZED'],
      [{ authorization: `Bearer ${await hs256({ sid, sub: 'x' }, 60, 'another-secret-that-is-32-bytes-long!!')}` }, 401, 'UNAUTHORIZED'],
      [{ authorization: `Bearer ${await hs256({ sid: mintSessionId(), sub: 'x' })}` }, 401, 'UNAUTHORIZED'],
      [{ authorization: `Bearer ${await hs256({ sid, sub: 'x' }, -10)}` }, 410, 'SESSION_EXPIRED'],
      [{ authorization: `Bearer ${await hs256({ sid, sub: 'x', rooms: 'not-an-array' })}` }, 401, 'UNAUTHORIZED'],
      [{ authorization: 'Bearer not.a.jwt' }, 401, 'UNAUTHORIZED'],
    ];
    for (const [headers, status, code] of cases) {
      const res = await register(gw, { sessionId: sid }, headers);
      assert.equal(res.status, status, JSON.stringify(headers));
      assert.equal((res.body as { errorCode: string }).errorCode, code);
    }
    const inBody = await register(gw, { sessionId: sid, token: 'x' });
    assert.equal(inBody.status, 400);
    const s = await mustOpen((ok.body as { websocketUrl: string }).websocketUrl);
    const welcome = await s.next();
    assert.ok(welcome.type === 'welcome' && welcome.sessionId === sid);
    s.ws.close();
  });

  it('verifies ES256 tokens with a configured public key and refuses HS256 tokens there', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const gw = await startGateway({ auth: { mode: 'jwt', jwtPublicKey: await exportSPKI(publicKey) } });
    started.push(gw);
    const sid = mintSessionId();
    const token = await new SignJWT({ sid, sub: 'c' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1m').sign(privateKey);
    assert.equal((await register(gw, { sessionId: sid }, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await register(gw, { sessionId: sid }, { authorization: `Bearer ${await hs256({ sid, sub: 'c' })}` })).status, 401);
  });

  it('verifies RS256 tokens against a JWKS URL, refusing tokens of an unknown key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as { port: number };
      const gw = await startGateway({ auth: { mode: 'jwt', jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` } });
      started.push(gw);
      const sid = mintSessionId();
      const sign = (key: CryptoKey, kid: string) => new SignJWT({ sid, sub: 'c' }).setProtectedHeader({ alg: 'RS256', kid }).setExpirationTime('1m').sign(key);
      assert.equal((await register(gw, { sessionId: sid }, { authorization: `Bearer ${await sign(privateKey, 'k1')}` })).status, 200);
      const foreign = await register(gw, { sessionId: sid }, { authorization: `Bearer ${await sign(other.privateKey, 'k1')}` });
      assert.deepEqual([foreign.status, (foreign.body as { errorCode: string }).errorCode], [401, 'UNAUTHORIZED']);
    } finally {
      server.close();
    }
  });

  it('CAPACITY_EXCEEDED for a new token session past session.max', async () => {
    const gw = await startGateway({ auth: { mode: 'jwt', jwtSecret: SECRET }, session: { max: 1 } });
    started.push(gw);
    const a = mintSessionId();
    const b = mintSessionId();
    assert.equal((await register(gw, { sessionId: a }, { authorization: `Bearer ${await hs256({ sid: a, sub: 'c' })}` })).status, 200);
    const res = await register(gw, { sessionId: b }, { authorization: `Bearer ${await hs256({ sid: b, sub: 'c' })}` });
    assert.equal(res.status, 503);
    assert.equal((res.body as { errorCode: string }).errorCode, 'CAPACITY_EXCEEDED');
  });
});
