import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/load.ts';
import { headersOf, kafkaOptions } from './client.ts';

describe('kafka client options from config', () => {
  it('maps brokers, client id, retry, and SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 over TLS from CES_* env', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const config = loadConfig([], {
        CES_KAFKA_BROKERS: 'b1:9093,b2:9093',
        CES_KAFKA_CLIENT_ID: 'gw',
        CES_KAFKA_SSL: 'true',
        CES_KAFKA_SASL_MECHANISM: mechanism,
        CES_KAFKA_SASL_USERNAME: 'user',
        CES_KAFKA_SASL_PASSWORD: 'secret',
      });
      const options = kafkaOptions(config.kafka);
      assert.deepEqual(options.brokers, ['b1:9093', 'b2:9093']);
      assert.equal(options.clientId, 'gw');
      assert.equal(options.ssl, true);
      assert.deepEqual(options.sasl, { mechanism, username: 'user', password: 'secret' });
      assert.equal(options.retry?.retries, config.kafka.retries);
    }
  });
  it('has no TLS or SASL unless configured, and rejects unknown mechanisms at load', () => {
    const options = kafkaOptions(loadConfig([], { CES_KAFKA_BROKERS: 'b:9092' }).kafka);
    assert.equal(options.ssl, undefined);
    assert.equal(options.sasl, undefined);
    assert.throws(() => loadConfig([], { CES_KAFKA_SASL_MECHANISM: 'gssapi' }), /saslMechanism/);
    assert.throws(() => loadConfig([], { CES_KAFKA_TOPIC_SETTINGS: '{"t":{"routing":{"source":"field"}}}' }), /routing.field/);
    assert.throws(() => loadConfig([], { CES_KAFKA_TOPIC_SETTINGS: 'not json' }), /topicSettings/);
  });
  it('decodes headers to strings, last value wins', () => {
    assert.deepEqual(headersOf({ a: Buffer.from('x'), b: [Buffer.from('1'), '2'], c: undefined }), { a: 'x', b: '2' });
  });
});
