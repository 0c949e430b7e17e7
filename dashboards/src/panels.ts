/**
 * Panel and variable helpers on top of @grafana/grafana-foundation-sdk, so dashboard files read as
 * a list of "title: PromQL" pairs. Every query goes through the `${datasource}` variable.
 */
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  type DashboardBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { GatewayMetrics as G } from '@ces/contracts/metrics';
import type { Matchers } from './promql.ts';

const datasource = { type: 'prometheus', uid: '${datasource}' };

/** One query of a panel: PromQL plus its legend. */
export interface Query {
  expr: string;
  legend?: string;
}

/** A panel as data: the dashboards are lists of these, grouped into rows. */
export interface PanelSpec {
  title: string;
  description: string;
  kind: 'timeseries' | 'stat';
  /** Grafana unit id (`s`, `short`, `ops`, `percentunit`, `bytes`). */
  unit: string;
  queries: Query[];
  /** Width in grid columns (24 = full). @default 8 */
  width?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export function timeseries(title: string, unit: string, description: string, ...queries: Query[]): PanelSpec {
  return { title, description, kind: 'timeseries', unit, queries };
}
export function stat(title: string, unit: string, description: string, expr: string): PanelSpec {
  return { title, description, kind: 'stat', unit, queries: [{ expr }], width: 4 };
}

function target(q: Query, index: number) {
  const b = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + index)).datasource(datasource);
  return q.legend === undefined ? b : b.legendFormat(q.legend);
}

function panel(spec: PanelSpec) {
  const b = spec.kind === 'stat' ? new StatBuilder() : new TimeseriesBuilder();
  b.title(spec.title).description(spec.description).unit(spec.unit).datasource(datasource);
  b.height(spec.kind === 'stat' ? 4 : 8).span(spec.width ?? 8);
  spec.queries.forEach((q, i) => b.withTarget(target(q, i)));
  return b;
}

/** Adds rows of panels to a dashboard. */
export function addRows(dashboard: DashboardBuilder, rows: readonly RowSpec[]): DashboardBuilder {
  for (const row of rows) {
    dashboard.withRow(new RowBuilder(row.title));
    for (const spec of row.panels) dashboard.withPanel(panel(spec));
  }
  return dashboard;
}

/**
 * The template variables: datasource, then namespace and stream read from `source` (default the
 * gateway's own `ces_gateway_ready` series). `multi` dashboards (fleet) allow All; the per-stream one picks one.
 */
export function addVariables(
  dashboard: DashboardBuilder,
  opts: { multi: boolean; stream: boolean; source?: string; current?: Readonly<Record<string, string>> },
): DashboardBuilder {
  const source = opts.source ?? G.ready.name;
  dashboard.withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  const variable = (name: string, query: string) => {
    const v = new QueryVariableBuilder(name).label(name).query(query).datasource(datasource).refresh(VariableRefresh.OnTimeRangeChanged);
    const current = opts.current?.[name];
    if (current !== undefined) v.current({ selected: true, text: current, value: current });
    return opts.multi ? v.multi(true).includeAll(true).allValue('.*') : v;
  };
  dashboard.withVariable(variable('namespace', `label_values(${source}, namespace)`));
  if (opts.stream) dashboard.withVariable(variable('stream', `label_values(${source}{namespace=~"$namespace"}, stream)`));
  return dashboard;
}

/** The matchers every gateway panel query uses. */
export const gatewaySelector: Matchers = ['namespace=~"$namespace"', 'stream=~"$stream"'];
