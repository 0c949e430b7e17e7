/**
 * The backend session API, health/metrics, audit logs without secrets, TLS, and the ces-gateway
 * bin — on in-process gateways (memory stores) and one child process.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import https from 'node:https';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../observability/logger.ts';
import { startGateway, type StartedGateway } from '../../testing/start-gateway.ts';
import { mintSessionId } from '../../auth/session-ids.ts';
import { mustOpen } from '../ws/test-client.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ces-edge-'));

describe('edge HTTP API', () => {
  const started: StartedGateway[] = [];
  after(async () => {
    await Promise.all(started.map((g) => g.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const gateway = async (over: object = {}, options = {}) => {
    const gw = await startGateway(over, options);
    started.push(gw);
    return gw;
  };

  it('shows, refuses and revokes sessions through the backend API', async () => {
    const gw = await gateway();
    const id = await gw.newSession({ customerId: 'cust', rooms: ['r1', 'r2'] });
    const shown = (await (await gw.api('GET', `/api/sessions/${id}`)).json()) as { status: string; session: Record<string, unknown> };
    assert.equal(shown.status, 'success');
    assert.deepEqual([shown.session.sessionId, shown.session.customerId, shown.session.rooms, shown.session.state, shown.session.connected], [id, 'cust', ['r1', 'r2'], 'registered', false]);
    assert.ok(Date.parse(shown.session.expiresAt as string) > Date.now());
    assert.equal((await gw.api('GET', `/api/sessions/${mintSessionId()}`)).status, 404);
    assert.equal((await gw.api('GET', '/api/sessions/bad')).status, 400);
    assert.equal((await gw.api('DELETE', `/api/sessions/${mintSessionId()}`)).status, 404);
    for (const body of [{}, { customerId: '' }, { customerId: 'c', rooms: ['bad room'] }, { customerId: 'c', ttlSeconds: 0 }, { customerId: 'c', extra: true }, { customerId: 5 }]) {
      const res = await gw.api('POST', '/api/sessions', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'INVALID_REQUEST');
    }
    assert.equal((await gw.api('DELETE', `/api/sessions/${id}`)).status, 200);
    assert.equal(((await (await gw.api('GET', `/api/sessions/${id}`)).json()) as { session: { state: string } }).session.state, 'revoked');
  });

  it('answers 426 to a plain GET on the WebSocket path and a JSON 404 elsewhere', async () => {
    const gw = await gateway();
    const plain = await fetch(`${gw.url}/ws/${mintSessionId()}`);
    assert.equal(plain.status, 426);
    assert.equal(((await plain.json()) as { errorCode: string }).errorCode, 'UPGRADE_REQUIRED');
    const missing = await fetch(`${gw.url}/nope`);
    assert.deepEqual([missing.status, ((await missing.json()) as { errorCode: string }).errorCode], [404, 'NOT_FOUND']);
  });

  it('serves /healthz, /readyz and Prometheus /metrics counting registrations by outcome', async () => {
    const gw = await gateway();
    await gw.newSession();
    await fetch(`${gw.url}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: mintSessionId() }) });
    assert.deepEqual(await (await fetch(`${gw.url}/healthz`)).json(), { status: 'ok' });
    const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as { status: string; checks: Record<string, boolean> };
    assert.deepEqual(ready, { status: 'ok', checks: { store: true, delivery: true, accepting: true } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /ces_gateway_registrations_total\{outcome="ok"\} 1/);
    assert.match(metrics, /ces_gateway_registrations_total\{outcome="unauthorized"\} 1/);
  });

  it('the sweeper keeps ces_gateway_sessions at the number of live sessions', async () => {
    const gw = await gateway({ session: { sweepIntervalMs: 50 } });
    await gw.newSession();
    await gw.api('POST', '/api/sessions', { customerId: 'c', ttlSeconds: 1 });
    const value = async () => Number(/^ces_gateway_sessions(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1]);
    const settle = async (want: number) => {
      let live = await value();
      for (let i = 0; i < 50 && live !== want; i++) {
        await new Promise((r) => setTimeout(r, 20));
        live = await value();
      }
      return live;
    };
    assert.equal(await settle(2), 2);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await settle(1), 1);
  });

  it('writes audit lines for registration, connect and disconnect with fingerprints, never the session id or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const gw = await gateway({ log: { level: 'info' } }, { logger: createLogger({ level: 'info', node: 'audit' }, sink) });
    const id = await gw.newSession();
    const s = await mustOpen(`${gw.wsUrl}/ws/${id}`);
    await s.next((f) => f.type === 'welcome');
    await gw.api('DELETE', `/api/sessions/${id}`);
    assert.equal(await s.closed, 4502);
    await new Promise((r) => setTimeout(r, 100));
    const events = lines.map((l) => JSON.parse(l) as { event?: string; code?: number; outcome?: string });
    assert.ok(events.some((e) => e.event === 'register' && e.outcome === 'ok'));
    assert.ok(events.some((e) => e.event === 'connect'));
    assert.ok(events.some((e) => e.event === 'disconnect' && e.code === 4502));
    const all = lines.join('');
    assert.ok(!all.includes(id), 'a session id reached the logs');
    assert.ok(!all.includes(gw.config.auth.apiToken), 'the API token reached the logs');
  });

  it('serves https:// and wss:// from a configured certificate and key', async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const gw = await gateway({ tls: { certFile: cert, keyFile: key } });
    assert.match(gw.url, /^https:/);
    const status = await new Promise<number>((resolve, reject) => https.get(`${gw.url}/healthz`, { rejectUnauthorized: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    assert.equal(status, 200);
    const ca = { ca: readFileSync(cert) };
    const created = await new Promise<string>((resolve, reject) => {
      const req = https.request(`${gw.url}/api/sessions`, { method: 'POST', ...ca, headers: { authorization: `Bearer ${gw.config.auth.apiToken}`, 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end('{"customerId":"tls"}');
    });
    const id = (JSON.parse(created) as { session: { sessionId: string } }).session.sessionId;
    await new Promise<void>((resolve, reject) => {
      const req = https.request(`${gw.url}/api/register`, { method: 'POST', ...ca, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => (assert.match((JSON.parse(body) as { websocketUrl: string }).websocketUrl, /^wss:\/\/127\.0\.0\.1:\d+\/ws\//), resolve()));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ sessionId: id }));
    });
    const s = await mustOpen(`${gw.wsUrl}/ws/${id}`, ca);
    assert.equal((await s.next()).type, 'welcome');
    s.ws.close();
  });

  it('the ces-gateway bin exits 78 naming the bad key of a --config file', async () => {
    const bin = fileURLToPath(new URL('../../../bin/ces-gateway.js', import.meta.url));
    const config = path.join(dir, 'bad.yaml');
    writeFileSync(config, 'http:\n  port: not-a-port\n');
    const child = spawn(process.execPath, [bin, '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 78);
    assert.match(stderr, /http\.port/);
  });
});
