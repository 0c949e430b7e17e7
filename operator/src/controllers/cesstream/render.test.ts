import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig as loadGatewayConfig } from '@ces/gateway/config/load';
import { topicSettingsOf } from '@ces/gateway/config/delivery-schema';
import { CONFIG_HASH_ANNOTATION, GATEWAY_CONFIG_FILE } from '@ces/cdk8s/gateway-fleet';
import type { KubeObject } from '../../runtime/cluster.ts';
import { isTerminalError } from '../../runtime/result.ts';
import { sampleStream } from '../../testing/sample.ts';
import { render } from './render.ts';
import type { RenderOptions } from './render.ts';

const plain: RenderOptions = { monitoringNamespace: 'monitoring', datasourceUid: 'prometheus', prometheusRule: false, grafanaAlertRuleGroup: false };
const find = (objs: KubeObject[], kind: string, name?: string) => objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objs: KubeObject[], kind: string, name?: string): KubeObject => {
  const found = find(objs, kind, name);
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ''}`);
  return found[0]!;
};
const spec = (o: KubeObject) => o.spec as Record<string, unknown>;

describe('render', () => {
  it('matches the snapshot for the sample CesStream', (t) => {
    // Dashboard and alert bodies belong to @ces/dashboards (tested there and in the tables below):
    // the snapshot keeps their envelope (names, labels, owners, file names) and masks the content.
    const masked = render(sampleStream(), { ...plain, prometheusRule: true, grafanaAlertRuleGroup: true }).map((o) => {
      if (o.kind === 'ConfigMap' && (o.metadata.labels?.grafana_dashboard || o.metadata.labels?.grafana_alert)) {
        return { ...o, data: Object.fromEntries(Object.keys(o.data as object).map((file) => [file, '<@ces/dashboards>'])) };
      }
      return o.kind.endsWith('Rule') || o.kind.endsWith('RuleGroup') ? { ...o, spec: '<@ces/dashboards>' } : o;
    });
    t.assert.snapshot(masked);
  });

  it('labels every object and owns same-namespace objects; cross-namespace ones are label-tracked only', () => {
    const objs = render(sampleStream(), { ...plain, prometheusRule: true });
    for (const o of objs) {
      assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'ces-operator', `${o.kind} ${o.metadata.name}`);
      assert.equal(o.metadata.labels?.['ces.io/stream-name'], 'shop');
      assert.equal(o.metadata.labels?.['ces.io/stream-namespace'], 'team-a');
      if (o.metadata.namespace === 'team-a') {
        assert.deepEqual(o.metadata.ownerReferences, [
          { apiVersion: 'ces.io/v1alpha1', kind: 'CesStream', name: 'shop', uid: '00000000-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true },
        ]);
      } else {
        assert.equal(o.metadata.namespace, 'monitoring');
        assert.equal(o.metadata.ownerReferences, undefined);
      }
    }
    assert.deepEqual(
      objs.map((o) => `${o.kind}/${o.metadata.name}`),
      [
        'ConfigMap/shop-gateway-config',
        'Deployment/shop-gateway',
        'Service/shop-gateway',
        'PodDisruptionBudget/shop-gateway',
        'ConfigMap/ces-team-a-shop-dashboards',
        'ConfigMap/ces-team-a-shop-alerts',
        'PrometheusRule/shop-alerts',
      ],
    );
  });

  it('leaves spec.replicas to the HPA when autoscaling is on', () => {
    const objs = render(sampleStream({ spec: { gateway: { autoscaling: { minReplicas: 2, maxReplicas: 8, cpuTargetPercent: 60, connectionsPerPod: 500 } } } }), plain);
    assert.equal('replicas' in spec(one(objs, 'Deployment')), false);
    const hpa = spec(one(objs, 'HorizontalPodAutoscaler'));
    assert.equal(hpa.minReplicas, 2);
    assert.equal(hpa.maxReplicas, 8);
    const metrics = hpa.metrics as { type: string; pods?: { target: { averageValue: unknown } }; resource?: { target: { averageUtilization: number } } }[];
    assert.deepEqual(metrics.map((m) => m.type), ['Resource', 'Pods']);
    assert.equal(metrics[0]?.resource?.target.averageUtilization, 60);
    assert.equal(String(metrics[1]?.pods?.target.averageValue), '500');
  });

  it('sets fixed replicas and renders no HPA without autoscaling', () => {
    const objs = render(sampleStream({ spec: { gateway: { replicas: 3 } } }), plain);
    assert.equal(spec(one(objs, 'Deployment')).replicas, 3);
    assert.equal(find(objs, 'HorizontalPodAutoscaler').length, 0);
  });

  it('renders an Ingress with TLS and WebSocket-friendly timeouts, and the wss endpoint host', () => {
    const objs = render(sampleStream({ spec: { gateway: { ingress: { host: 'events.example.com', tlsSecretName: 'events-tls', timeoutSeconds: 7200 } } } }), plain);
    const ingress = one(objs, 'Ingress');
    assert.deepEqual((spec(ingress).tls as unknown[])[0], { hosts: ['events.example.com'], secretName: 'events-tls' });
    assert.equal(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'], '7200');
  });

  it('renders no Grafana objects when monitoring is off', () => {
    const objs = render(sampleStream({ spec: { monitoring: { dashboards: false, alerts: false } } }), { ...plain, prometheusRule: true, grafanaAlertRuleGroup: true });
    assert.equal(objs.filter((o) => o.metadata.namespace === 'monitoring' || o.kind.includes('Rule')).length, 0);
  });

  it('labels Grafana ConfigMaps for the sidecar and puts them in spec.monitoring.namespace', () => {
    const objs = render(sampleStream({ spec: { monitoring: { namespace: 'grafana' } } }), plain);
    const dashboards = one(objs, 'ConfigMap', 'ces-team-a-shop-dashboards');
    const alerts = one(objs, 'ConfigMap', 'ces-team-a-shop-alerts');
    assert.equal(dashboards.metadata.namespace, 'grafana');
    assert.equal(dashboards.metadata.labels?.grafana_dashboard, '1');
    assert.equal(alerts.metadata.labels?.grafana_alert, '1');
    for (const json of Object.values(dashboards.data as Record<string, string>)) assert.ok(JSON.parse(json).panels);
  });

  it('puts thresholds and the stream selector into the PrometheusRule', () => {
    const objs = render(sampleStream({ spec: { monitoring: { thresholds: { consumerLagRecords: 4242 }, ruleLabels: { release: 'kps' } } } }), { ...plain, prometheusRule: true });
    const rule = one(objs, 'PrometheusRule');
    assert.equal(rule.metadata.labels?.release, 'kps');
    const exprs = (spec(rule).groups as { rules: { expr: string }[] }[]).flatMap((g) => g.rules.map((r) => r.expr));
    assert.ok(exprs.some((e) => e.includes('> 4242')));
    assert.ok(exprs.every((e) => e.includes('namespace="team-a",stream="shop"')));
  });

  it('emits Strimzi KafkaTopics in strimzi mode, label-tracked and never owned', () => {
    const cr = sampleStream({ spec: { kafka: { topicManagement: 'strimzi', strimziCluster: 'main', strimziNamespace: 'kafka' } } });
    const topics = find(render(cr, { ...plain, kafkaTopicApiVersion: 'kafka.strimzi.io/v1' }), 'KafkaTopic');
    assert.deepEqual(topics.map((t) => [t.apiVersion, t.metadata.namespace, spec(t).topicName, spec(t).partitions]), [
      ['kafka.strimzi.io/v1', 'kafka', 'orders', 6],
      ['kafka.strimzi.io/v1', 'kafka', 'notices', 3],
      ['kafka.strimzi.io/v1', 'kafka', 'orders-dlq', 3],
    ]);
    for (const t of topics) {
      assert.equal(t.metadata.labels?.['strimzi.io/cluster'], 'main');
      assert.equal(t.metadata.ownerReferences, undefined);
    }
  });

  it('emits no KafkaTopics in create mode', () => {
    assert.equal(find(render(sampleStream(), { ...plain, kafkaTopicApiVersion: 'kafka.strimzi.io/v1' }), 'KafkaTopic').length, 0);
  });

  it('changes the pod template hash when the gateway config changes, and only then', () => {
    const hash = (objs: KubeObject[]) => (spec(one(objs, 'Deployment')).template as { metadata: { annotations: Record<string, string> } }).metadata.annotations[CONFIG_HASH_ANNOTATION];
    const a = hash(render(sampleStream(), plain));
    assert.equal(hash(render(sampleStream(), plain)), a);
    assert.notEqual(hash(render(sampleStream({ spec: { gateway: { session: { heartbeatIntervalMs: 5000 } } } }), plain)), a);
  });

  it('passes secrets as env from Secret keys, never in the ConfigMap', () => {
    const cr = sampleStream({ spec: { kafka: { authSecretRef: { name: 'kafka-creds' } }, redis: { url: undefined, urlSecretRef: { name: 'redis' } }, auth: { mode: 'registry', apiTokenSecretRef: { name: 'api' } } } });
    const objs = render(cr, plain);
    const container = (spec(one(objs, 'Deployment')).template as { spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] } }).spec.containers[0]!;
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    assert.deepEqual(env.CES_KAFKA_SASL_PASSWORD, { name: 'kafka-creds', key: 'password', optional: false });
    assert.deepEqual(env.CES_REDIS_URL, { name: 'redis', key: 'url', optional: false });
    assert.deepEqual(env.CES_API_TOKEN, { name: 'api', key: 'token', optional: false });
    const configYaml = (one(objs, 'ConfigMap', 'shop-gateway-config').data as Record<string, string>)[GATEWAY_CONFIG_FILE]!;
    assert.doesNotMatch(configYaml, /password|token/i);
  });

  it('refuses a topic schema that is not a JSON object as an invalid spec (no retry)', () => {
    const cr = sampleStream({ spec: { kafka: { topics: [{ name: 'orders', partitions: 1, schema: '[not json' }] } } });
    assert.throws(() => render(cr, plain), (err: unknown) => isTerminalError(err) && /schema/.test((err as Error).message));
  });

  it('writes a gateway config file the gateway itself accepts', () => {
    const cr = sampleStream({
      spec: {
        kafka: { topics: [{ name: 'orders', partitions: 2, schema: '{"type":"object"}', routing: { source: 'key', target: 'customer' } }], inboundTopic: { name: 'orders-in', partitions: 1 } },
        gateway: { allowedOrigins: ['https://shop.example.com'], ingress: { host: 'events.example.com' } },
      },
    });
    const configMap = one(render(cr, plain), 'ConfigMap', 'shop-gateway-config');
    const dir = mkdtempSync(path.join(tmpdir(), 'ces-render-'));
    try {
      const file = path.join(dir, GATEWAY_CONFIG_FILE);
      writeFileSync(file, (configMap.data as Record<string, string>)[GATEWAY_CONFIG_FILE]!);
      const config = loadGatewayConfig(['--config', file], {});
      assert.deepEqual(config.kafka.brokers, ['kafka:9092']);
      assert.deepEqual(config.kafka.topics, ['orders']);
      assert.equal(config.kafka.groupId, 'ces.team-a.shop');
      assert.deepEqual(topicSettingsOf(config.kafka.topicSettings).orders, { format: 'json', routing: { source: 'key', target: 'customer' }, schema: { type: 'object' } });
      assert.equal(config.kafka.inboundTopic, 'orders-in');
      assert.equal(config.kafka.dlqTopic, 'orders-dlq');
      assert.equal(config.redis.url, 'redis://redis:6379');
      assert.equal(config.http.publicUrl, 'http://events.example.com');
      assert.deepEqual(config.ws.allowedOrigins, ['https://shop.example.com']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
