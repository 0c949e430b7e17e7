/** loadConfig: sources and precedence, strict validation naming the key, freezing, the bin's --config. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './load.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ces-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('loadConfig', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives documented defaults with no file and no env: memory mode, registry auth, port 8080', () => {
    const c = loadConfig([], {});
    assert.deepEqual([c.http.port, c.redis.url, c.auth.mode, c.session.ttlSeconds, c.ws.allowedOrigins], [8080, '', 'registry', 300, ['*']]);
    assert.ok(c.node.length > 0);
  });

  it('reads YAML and JSON files, and env wins over the file', () => {
    const yaml = file('c.yaml', 'http:\n  port: 9000\n  publicUrl: https://events.example.com\nsession:\n  max: 7\n');
    const c = loadConfig(['--config', yaml], { CES_SESSION_MAX: '9', CES_ALLOWED_ORIGINS: 'https://a.example, https://b.example' });
    assert.deepEqual([c.http.port, c.http.publicUrl, c.session.max, c.ws.allowedOrigins], [9000, 'https://events.example.com', 9, ['https://a.example', 'https://b.example']]);
    const json = file('c.json', '{"redis": {"url": "redis://127.0.0.1:6379", "mode": "standalone"}}');
    assert.equal(loadConfig([`--config=${json}`], { CES_REDIS_KEY_PREFIX: 'p1' }).redis.keyPrefix, 'p1');
  });

  it('returns a deep-frozen object', () => {
    const c = loadConfig([], {});
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.http) && Object.isFrozen(c.ws.allowedOrigins));
  });

  it('rejects bad values naming the key, unknown file keys, unreadable or malformed files', () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [[], { CES_PORT: 'eighty' }, /http\.port/],
      [[], { CES_AUTH_MODE: 'magic' }, /auth\.mode/],
      [[], { CES_REDIS_MODE: 'cluster' }, /redis\.url/],
      [[], { CES_AUTH_MODE: 'jwt' }, /auth\.jwtSecret/],
      [[], { CES_AUTH_MODE: 'jwt', CES_AUTH_JWT_SECRET: 'short' }, /at least 32 bytes/],
      [[], { CES_PUBLIC_URL: 'ftp://x' }, /http\.publicUrl/],
      [[], { CES_REDIS_URL: 'http://x' }, /redis\.url/],
      [[], { CES_TLS_CERT_FILE: '/x.pem' }, /tls\.certFile and tls\.keyFile/],
      [['--config', file('u.yaml', 'htp:\n  port: 1\n')], {}, /htp/],
      [['--config', file('bad.json', '{nope')], {}, /not valid JSON/],
      [['--config', path.join(dir, 'missing.yaml')], {}, /cannot read config file/],
      [['--config'], {}, /needs a file path/],
    ];
    for (const [argv, env, message] of cases) assert.throws(() => loadConfig(argv, env), (err: unknown) => err instanceof ConfigError && message.test(err.message), `${argv} ${JSON.stringify(env)}`);
  });

  it('never echoes a sensitive value in an error', () => {
    assert.throws(() => loadConfig([], { CES_REDIS_URL: 'http://user:hunter2@x' }), (err: unknown) => !(err as Error).message.includes('hunter2'));
  });
});
