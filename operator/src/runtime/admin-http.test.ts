import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { startAdminHttp } from './admin-http.ts';
import type { AdminHttp } from './admin-http.ts';

describe('admin HTTP', () => {
  const registry = new Registry();
  new Counter({ name: 'ces_operator_test_total', help: 'x', registers: [registry] }).inc();
  const probes = { healthy: true, ready: false };
  let server: AdminHttp;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  before(async () => {
    server = await startAdminHttp('127.0.0.1', 0, registry, { healthy: () => probes.healthy, ready: () => probes.ready });
  });
  after(() => server.close());

  it('answers /healthz and /readyz from the probes', async () => {
    assert.equal((await fetch(url('/healthz'))).status, 200);
    assert.equal((await fetch(url('/readyz'))).status, 503);
    probes.ready = true;
    assert.equal((await fetch(url('/readyz?verbose=1'))).status, 200);
    probes.healthy = false;
    assert.equal((await fetch(url('/healthz'))).status, 503);
    probes.healthy = true;
  });

  it('serves Prometheus text on /metrics', async () => {
    const res = await fetch(url('/metrics'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await res.text(), /ces_operator_test_total 1/);
  });

  it('refuses other methods, unknown paths and hostile URLs without echoing them', async () => {
    assert.equal((await fetch(url('/metrics'), { method: 'POST', body: 'x'.repeat(100_000) })).status, 405);
    assert.equal((await fetch(url('/metrics'), { method: 'DELETE' })).status, 405);
    const unknown = await fetch(url('/%2e%2e/etc/passwd'));
    assert.equal(unknown.status, 404);
    assert.doesNotMatch(await unknown.text(), /passwd/);
    assert.equal((await fetch(url(`/${'a'.repeat(8000)}`))).status, 404);
  });
});
