/**
 * Dashboards and alert rules may only query metrics the code exports (aesthetics rule 11): every
 * metric name in every panel target and alert expression must be in the gateway's registry
 * (`createMetrics`, with Node's default metrics) or the operator's registry. Histograms
 * export `_bucket`, `_sum` and `_count` series.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createMetrics as createOperatorMetrics } from '@ces/operator/metrics';
import { createMetrics } from '@ces/gateway/observability/metrics';
import { shippedExpressions } from './expressions.ts';
import { metricNames } from './promql.ts';

async function exportedSeriesNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const add = (name: string, type: string) => {
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  };
  for (const m of await createMetrics(new Registry()).registry.getMetricsAsJSON()) add(m.name, String(m.type));
  for (const m of await createOperatorMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()) add(m.name, String(m.type));
  return names;
}

function allQueries(): { where: string; expr: string }[] {
  return shippedExpressions();
}

function unknownMetrics(queries: { where: string; expr: string }[], exported: Set<string>): string[] {
  return queries.flatMap(({ where, expr }) => metricNames(expr).filter((n) => !exported.has(n)).map((n) => `${where}: ${n}`));
}

describe('dashboards and alerts query only exported metrics', () => {
  it('finds every queried metric name in the exported registry', async () => {
    const queries = allQueries();
    assert.ok(queries.length > 80, `expected the full query set, got ${queries.length}`);
    assert.deepEqual(unknownMetrics(queries, await exportedSeriesNames()), []);
  });

  it('reports a query that names a metric the code does not export', async () => {
    const bad = [
      { where: 'typo', expr: 'sum(rate(ces_gateway_message_delivered_total[5m]))' },
      { where: 'suffix', expr: 'ces_gateway_connections_bucket' },
      { where: 'by name', expr: '{__name__="ces_gateway_nope"}' },
    ];
    assert.deepEqual(unknownMetrics(bad, await exportedSeriesNames()), [
      'typo: ces_gateway_message_delivered_total',
      'suffix: ces_gateway_connections_bucket',
      'by name: ces_gateway_nope',
    ]);
  });

  it('refuses to read a query that does not parse', () => {
    assert.throws(() => metricNames('sum(rate(ces_gateway_connections[5m])'), /does not parse/);
  });

  it('uses every gateway metric in at least one panel', async () => {
    const used = new Set(allQueries().flatMap((q) => metricNames(q.expr)));
    const unused = (await createMetrics(new Registry(), { defaultMetrics: false }).registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => ![n, `${n}_bucket`, `${n}_count`].some((s) => used.has(s)));
    assert.deepEqual(unused, []);
  });
});
