import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('reads the chart\'s env names and trims the namespace list', () => {
    const config = loadConfig({ env: { CES_WATCH_NAMESPACES: ' shop, payments ,', CES_OPERATOR_PORT: '9100', CES_POD_NAMESPACE: 'ces-system', CES_LOG_LEVEL: 'debug' } });
    assert.deepEqual(config.watchNamespaces, ['shop', 'payments']);
    assert.equal(config.port, 9100);
    assert.equal(config.podNamespace, 'ces-system');
    assert.equal(config.logLevel, 'debug');
  });

  it('has defaults that need no env at all', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config.watchNamespaces, []);
    assert.equal(config.fieldManager, 'ces-operator');
    assert.equal(config.leaderElection.enabled, true);
    assert.ok(config.leaderElection.renewDeadlineMs < config.leaderElection.leaseDurationMs);
  });

  it('is deeply frozen', () => {
    const config = loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.queue));
    assert.ok(Object.isFrozen(config.watchNamespaces));
  });

  for (const [env, key] of [
    [{ CES_OPERATOR_PORT: '70000' }, 'port'],
    [{ CES_LOG_LEVEL: 'loud' }, 'logLevel'],
    [{ CES_OPERATOR_RESYNC_MS: '-5' }, 'resyncMs'],
    [{ CES_QUEUE_CONCURRENCY: 'many' }, 'queue.concurrency'],
  ] as const) {
    it(`refuses a bad ${key} and names the key`, () => {
      assert.throws(() => loadConfig({ env }), (err: unknown) => (err as Error).message.includes(key));
    });
  }

  it('refuses unknown override keys', () => {
    assert.throws(() => loadConfig({ env: {}, overrides: { nope: 1 } }), /nope/);
  });
});
