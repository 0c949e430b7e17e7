/**
 * Every PromQL expression CES ships, in one list: each panel target and template variable of each
 * dashboard, and each alert (the Prometheus `expr` and the Grafana forms' query) for the
 * all-streams and a per-stream rendering. The sync test checks their metric names; the live test
 * runs each through a real Prometheus.
 */
import { renderDashboards, dashboardExpressions } from './dashboards.ts';
import { renderAlertRules, type RenderAlertParams } from './render-alerts.ts';
import { alertDefinitions } from './alerts.ts';

export interface ShippedExpression {
  /** Where it is used, e.g. `ces-fleet.json / Connections` or `alert CesConsumerLagHigh`. */
  where: string;
  /** As shipped (may contain Grafana variables such as `$stream` or `$__rate_interval`). */
  expr: string;
  kind: 'panel' | 'variable' | 'alert' | 'alert-query';
}

export function shippedExpressions(perStream: Pick<RenderAlertParams, 'selector'> = { selector: { namespace: 'shop', stream: 'orders' } }): ShippedExpression[] {
  const out: ShippedExpression[] = [];
  for (const [file, model] of Object.entries(renderDashboards())) {
    for (const { panel, expr } of dashboardExpressions(model)) out.push({ where: `${file} / ${panel}`, expr, kind: 'panel' });
    const list = (model.templating as { list?: { name: string; query?: unknown }[] }).list ?? [];
    for (const v of list) {
      const m = typeof v.query === 'string' ? /^label_values\((.*), \w+\)$/.exec(v.query) : null;
      if (m?.[1]) out.push({ where: `${file} / $${v.name}`, expr: m[1], kind: 'variable' });
    }
  }
  for (const [label, params] of [['all streams', {}], ['per stream', perStream]] as const) {
    for (const r of renderAlertRules(params).prometheusRuleFile.groups.flatMap((g) => g.rules)) {
      out.push({ where: `alert ${r.alert} (${label})`, expr: r.expr, kind: 'alert' });
    }
    for (const d of alertDefinitions(params)) out.push({ where: `alert query ${d.name} (${label})`, expr: d.query, kind: 'alert-query' });
  }
  return out;
}
