/** The error catalogue: stable, unique, documented codes; bodies in the seed 000 §6.1 shape. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCatalogue, GatewayError, errorBody } from './errors.ts';
import { CloseCodes } from '@ces/contracts/close-codes';
import { FrameErrorCodes } from './adapters/ws/client-frames.ts';

const docs = readFileSync(new URL('../../docs/gateway-edge.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it('has unique upper-snake codes with 4xx/5xx statuses; retriable exactly for 429 and 5xx', () => {
    for (const [code, entry] of Object.entries(ErrorCatalogue)) {
      assert.match(code, /^[A-Z][A-Z_]+$/);
      assert.ok(entry.status >= 400 && entry.status < 600, code);
      assert.equal(entry.retriable, entry.status === 429 || entry.status >= 500, code);
    }
  });

  it('documents every HTTP error code, frame error code and close code in docs/gateway-edge.md', () => {
    for (const code of Object.keys(ErrorCatalogue)) assert.ok(docs.includes(`\`${code}\``), `${code} undocumented`);
    for (const code of Object.keys(FrameErrorCodes)) assert.ok(docs.includes(`\`${code}\``), `${code} undocumented`);
    for (const { code } of Object.values(CloseCodes)) assert.ok(docs.includes(`${code}`), `close code ${code} undocumented`);
  });

  it('renders the seed error body with the catalogue message unless overridden', () => {
    assert.deepEqual(errorBody(new GatewayError('INVALID_SESSION')), { status: 'error', message: 'Invalid session ID', errorCode: 'INVALID_SESSION' });
    const err = new GatewayError('RATE_LIMITED', { message: 'slow down', retryAfterSeconds: 3 });
    assert.deepEqual([err.status, err.retriable, err.retryAfterSeconds, errorBody(err).message], [429, true, 3, 'slow down']);
  });
});
