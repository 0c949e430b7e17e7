import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAlertRules, grafanaRuleUid } from './render-alerts.ts';
import { alertDefinitions, DefaultThresholds } from './alerts.ts';
import { renderDashboards } from './dashboards.ts';
import { metricNames } from './promql.ts';

const runbook = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/runbook.md'), 'utf8');

describe('alert rule rendering', () => {
  it('emits every alert in all three forms, each with a runbook link', () => {
    const r = renderAlertRules({ name: 'ces-orders', namespace: 'shop', selector: { namespace: 'shop', stream: 'orders' } });
    const prom = r.prometheusRuleFile.groups[0]!.rules;
    const grafana = (r.grafanaProvisioning.groups as { rules: { title: string; annotations: { runbook_url: string } }[] }[])[0]!.rules;
    const cr = (r.grafanaAlertRuleGroup.spec as { rules: { title: string }[] }).rules;
    assert.deepEqual(prom.map((x) => x.alert), grafana.map((x) => x.title));
    assert.deepEqual(cr.map((x) => x.title), grafana.map((x) => x.title));
    for (const rule of prom) assert.equal(rule.annotations.runbook_url, `docs/runbook.md#${rule.alert.toLowerCase()}`);
    assert.deepEqual(r.prometheusRule.metadata, { name: 'ces-orders', namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'ces' } });
  });

  it('documents every alert in docs/runbook.md under a heading that is its anchor', () => {
    const headings = new Set([...runbook.matchAll(/^## (\w+)$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const d of alertDefinitions({ includeOperator: true })) assert.ok(headings.has(d.name.toLowerCase()), `runbook lacks "## ${d.name}"`);
  });

  it('applies threshold parameters and keeps the defaults of seed 000/001', () => {
    assert.equal(DefaultThresholds.consumerLagRecords, 100_000);
    assert.equal(DefaultThresholds.errorRateRatio, 0.01);
    assert.equal(DefaultThresholds.deliveryP95Seconds, 0.1);
    const lag = alertDefinitions({ thresholds: { consumerLagRecords: 5000 } }).find((d) => d.name === 'CesConsumerLagHigh')!;
    assert.match(lag.expr, /> 5000$/);
    const breaker = alertDefinitions({ thresholds: { breakerOpenFor: '90s' } }).find((d) => d.name === 'CesCircuitBreakerOpen')!;
    assert.equal(breaker.for, '90s');
  });

  it('quotes hostile selector values so they stay one label value', () => {
    const value = 'x"} or vector(1) or {a="\\\n';
    const benign = alertDefinitions({ selector: { stream: 'x' } });
    alertDefinitions({ selector: { stream: value } }).forEach((d, i) => {
      assert.doesNotThrow(() => metricNames(d.expr), d.name);
      // Replacing the one quoted literal gives back the benign rule: the value did not change the query's shape.
      assert.equal(d.expr.replaceAll(`stream=${JSON.stringify(value)}`, 'stream="x"'), benign[i]!.expr, d.name);
    });
  });

  it('rejects invalid label names, negative or non-finite thresholds and malformed durations', () => {
    assert.throws(() => alertDefinitions({ selector: { 'bad-name': 'x' } }), /label name/);
    assert.throws(() => alertDefinitions({ selector: { __name__: 'x' } }), /label name/);
    assert.throws(() => alertDefinitions({ thresholds: { errorRateRatio: -1 } }), /errorRateRatio/);
    assert.throws(() => alertDefinitions({ thresholds: { deliveryP95Seconds: Number.NaN } }), /deliveryP95Seconds/);
    assert.throws(() => alertDefinitions({ thresholds: { breakerOpenFor: '1 minute' } }), /breakerOpenFor/);
  });

  it('keeps operator alerts out of per-stream groups unless asked', () => {
    const names = (p: Parameters<typeof alertDefinitions>[0]) => alertDefinitions(p).map((d) => d.name);
    assert.ok(names({}).includes('CesOperatorReconcileErrors'));
    assert.ok(!names({ selector: { stream: 'orders' } }).includes('CesOperatorReconcileErrors'));
    assert.ok(names({ selector: { stream: 'orders' }, includeOperator: true }).includes('CesOperatorReconcileErrors'));
  });

  it('gives Grafana rules valid, per-group unique uids and a non-zero query range', () => {
    const uids = new Set<string>();
    for (const name of ['ces-a', 'ces-b']) {
      const g = renderAlertRules({ name }).grafanaProvisioning.groups as { rules: { uid: string; data: { relativeTimeRange: { from: number } }[] }[] }[];
      for (const rule of g[0]!.rules) {
        assert.match(rule.uid, /^[a-zA-Z0-9-_]{1,40}$/);
        assert.ok(!uids.has(rule.uid), rule.uid);
        uids.add(rule.uid);
        for (const q of rule.data) assert.ok(q.relativeTimeRange.from > 0);
      }
    }
    assert.equal(grafanaRuleUid('g', 'A'), grafanaRuleUid('g', 'A'));
  });
});

describe('dashboard rendering', () => {
  it('renders the fleet, per-stream and operator dashboards with unique uids and templated variables', () => {
    const d = renderDashboards({ uidPrefix: 'x' });
    assert.deepEqual(Object.keys(d).sort(), ['x-fleet.json', 'x-operator.json', 'x-stream.json']);
    const vars = (m: Record<string, unknown>) => ((m.templating as { list: { name: string }[] }).list ?? []).map((v) => v.name);
    assert.deepEqual(vars(d['x-stream.json']!), ['datasource', 'namespace', 'stream']);
    assert.deepEqual(vars(d['x-fleet.json']!), ['datasource', 'namespace', 'stream']);
    assert.deepEqual(vars(d['x-operator.json']!), ['datasource', 'namespace']);
  });
});

describe('per-stream dashboards', () => {
  it('renders only the requested dashboards, preselected on the stream', () => {
    const d = renderDashboards({ uidPrefix: 'ces-x1', include: ['stream'], stream: { namespace: 'shop', name: 'orders' } });
    assert.deepEqual(Object.keys(d), ['ces-x1-stream.json']);
    const model = d['ces-x1-stream.json']!;
    assert.equal(model.title, 'CES / Stream shop/orders');
    const list = (model.templating as { list: { name: string; current?: { value: string } }[] }).list;
    assert.equal(list.find((v) => v.name === 'stream')?.current?.value, 'orders');
    assert.equal(list.find((v) => v.name === 'namespace')?.current?.value, 'shop');
  });
});

describe('docs/observability.md', () => {
  const doc = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/observability.md'), 'utf8');

  it('lists every metric, every alert and every dashboard', async () => {
    const { GatewayMetrics, OperatorMetrics } = await import('@ces/contracts/metrics');
    for (const m of [...Object.values(GatewayMetrics), ...Object.values(OperatorMetrics)]) assert.ok(doc.includes(`\`${m.name}\``), m.name);
    for (const d of alertDefinitions({ includeOperator: true })) assert.ok(doc.includes(`[${d.name}](runbook.md#${d.name.toLowerCase()})`), d.name);
    for (const model of Object.values(renderDashboards())) assert.ok(doc.includes(`**${String(model.title)}** (\`${String(model.uid)}\``), String(model.title));
  });
});
