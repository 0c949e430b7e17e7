/** Pure renderers of the infrastructure: server configs, the Maven POM, shell exports. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envExports, redactSecrets } from './infra.ts';
import { defaultKafkaVersion, renderPom } from './kafka-dist.ts';
import { randomClusterId, renderServerProperties } from './kafka.ts';
import { renderPrometheusConfig } from './prometheus.ts';
import { renderRedisConf } from './redis.ts';

function parseProps(text: string): Map<string, string> {
  return new Map(text.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

describe('Kafka server.properties', () => {
  const props = parseProps(renderServerProperties({ port: 19092, controllerPort: 19093, dataDir: '/d' }));

  it('binds only 127.0.0.1 on the given ports, advertising the client listener', () => {
    assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    assert.equal(props.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092');
    assert.equal(props.get('controller.quorum.voters'), '1@127.0.0.1:19093');
  });

  it('is test-friendly: no auto-create, no rebalance delay, replication factor 1, small segments', () => {
    assert.equal(props.get('auto.create.topics.enable'), 'false');
    assert.equal(props.get('group.initial.rebalance.delay.ms'), '0');
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'default.replication.factor']) {
      assert.equal(props.get(key), '1', key);
    }
    assert.ok(Number(props.get('log.segment.bytes')) <= 16 * 1024 * 1024);
    assert.equal(props.get('log.dirs'), '/d');
  });

  it('cluster ids are 22-character base64url strings, different each time', () => {
    const a = randomClusterId();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, randomClusterId());
  });

  it('cluster ids never start with "-", which kafka-storage would parse as a flag', () => {
    for (let i = 0; i < 2000; i++) assert.doesNotMatch(randomClusterId(), /^-/);
  });
});

describe('Kafka runtime POM', () => {
  it('asks for kafka_2.13 and the reload4j logging binding of the requested version', () => {
    const pom = renderPom(defaultKafkaVersion);
    assert.match(pom, new RegExp(`<artifactId>kafka_2.13</artifactId><version>${defaultKafkaVersion.replace(/\./g, '\\.')}</version>`));
    assert.match(pom, /<artifactId>slf4j-reload4j<\/artifactId>/);
    assert.doesNotMatch(pom, /kafka-tools/);
  });

  it('refuses versions it cannot wire (4.x logging differs) and hostile strings', () => {
    assert.throws(() => renderPom('4.1.1'), /3\.x only/);
    assert.throws(() => renderPom('3.9.1</version><x>'), /not supported/);
  });
});

describe('redis.conf', () => {
  it('single node: localhost only, no persistence, marker in the process title', () => {
    const conf = renderRedisConf({ port: 6390, dir: '/r' });
    assert.match(conf, /^port 6390$/m);
    assert.match(conf, /^bind 127\.0\.0\.1$/m);
    assert.match(conf, /^save ""$/m);
    assert.match(conf, /^appendonly no$/m);
    assert.match(conf, /\{config-file\}/);
    assert.doesNotMatch(conf, /cluster-enabled/);
  });

  it('cluster node: cluster mode with an explicitly allocated bus port', () => {
    const conf = renderRedisConf({ port: 6390, dir: '/r', busPort: 6400 });
    assert.match(conf, /^cluster-enabled yes$/m);
    assert.match(conf, /^cluster-port 6400$/m);
    assert.match(conf, /^cluster-config-file \/r\/nodes\.conf$/m);
  });
});

describe('prometheus.yml', () => {
  it('scrapes the given targets and loads the rule files at the given interval', () => {
    const config = JSON.parse(renderPrometheusConfig({ scrapeTargets: ['127.0.0.1:1'], ruleFiles: ['/x.yml'], intervalMs: 250 }));
    assert.deepEqual(config.scrape_configs[0].static_configs, [{ targets: ['127.0.0.1:1'] }]);
    assert.deepEqual(config.rule_files, ['/x.yml']);
    assert.equal(config.global.scrape_interval, '250ms');
  });
});

describe('infra env exports', () => {
  it('exports what is running, single-quoted so hostile paths cannot inject shell', () => {
    const lines = envExports(
      {
        kafka: { brokers: ['127.0.0.1:1', '127.0.0.1:2'] },
        redis: { url: 'redis://127.0.0.1:3', host: '127.0.0.1', port: 3 },
        errors: {},
      },
      "/tmp/it's $(rm -rf ~)/state.json",
    );
    assert.deepEqual(lines, [
      `export CES_INFRA_STATE='/tmp/it'\\''s $(rm -rf ~)/state.json'`,
      `export CES_KAFKA_BROKERS='127.0.0.1:1,127.0.0.1:2'`,
      `export CES_REDIS_URL='redis://127.0.0.1:3'`,
    ]);
  });
});

describe('status output', () => {
  it('never shows bearer tokens', () => {
    const shown = JSON.stringify({ server: 'https://127.0.0.1:1', token: 'secret-admin', users: { viewer: 'secret-viewer' } }, redactSecrets);
    assert.doesNotMatch(shown, /secret-/);
    assert.match(shown, /"viewer":"<redacted>"/);
    assert.match(shown, /"server":"https:\/\/127\.0\.0\.1:1"/);
  });
});
