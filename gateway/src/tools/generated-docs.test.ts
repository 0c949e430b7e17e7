/**
 * Drift checks: the checked-in gateway/openapi.json equals the document generated from the route
 * schemas and served at GET /openapi.json; docs/configuration.md equals the render of the schema.
 * Fix a failure with `npm run -w @ces/gateway openapi` / `npm run -w @ces/gateway docs:config`.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatJson, openApiDocument } from './openapi-document.ts';
import { configurationReference } from './config-reference.ts';
import { startGateway, type StartedGateway } from '../testing/start-gateway.ts';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('generated documents are current', () => {
  let gw: StartedGateway | undefined;
  after(() => gw?.stop());

  it('gateway/openapi.json matches the route schemas (run: npm run -w @ces/gateway openapi)', async () => {
    assert.equal(read('../../openapi.json'), formatJson(await openApiDocument()));
  });

  it('GET /openapi.json serves the checked-in document, covering every public route', async () => {
    gw = await startGateway();
    const served = await (await fetch(`${gw.url}/openapi.json`)).json();
    const checkedIn = JSON.parse(read('../../openapi.json')) as { paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(served, checkedIn);
    const operations = Object.entries(checkedIn.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    for (const op of ['POST /api/register', 'POST /api/sessions', 'GET /api/sessions/{sessionId}', 'DELETE /api/sessions/{sessionId}', 'GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /api/push', 'POST /admin/dlq/replay'])
      assert.ok(operations.includes(op), `${op} missing from the OpenAPI document`);
  });

  it('docs/configuration.md matches the config schema (run: npm run -w @ces/gateway docs:config)', () => {
    assert.equal(read('../../../docs/configuration.md'), configurationReference());
  });
});
