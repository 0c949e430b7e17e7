/**
 * The three dashboards: fleet overview (all streams, multi-select), per-stream (one stream,
 * broken down by pod) and operator. Built with @grafana/grafana-foundation-sdk; `renderDashboards`
 * returns plain JSON models ready for a `grafana_dashboard` ConfigMap or the Grafana API.
 */
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { OperatorMetrics as O } from '@ces/contracts/metrics';
import { addRows, addVariables, gatewaySelector, stat, timeseries, type RowSpec } from './panels.ts';
import { gatewayRows } from './gateway-panels.ts';

export interface DashboardParams {
  /** Prefix of dashboard uids (Grafana uids are ≤ 40 chars). @default 'ces' */
  uidPrefix?: string;
  /** Tags on every dashboard. @default ['ces'] */
  tags?: readonly string[];
  /** Which dashboards to render (e.g. only `stream` per CesStream, fleet and operator once). @default all three */
  include?: readonly DashboardKind[];
  /** Preselects the per-stream dashboard's variables on this stream. @default none */
  stream?: { namespace: string; name: string };
}

export type DashboardKind = 'fleet' | 'stream' | 'operator';

/** Dashboard JSON models keyed by file name (`<uid>.json`). */
export type RenderedDashboards = Record<string, Record<string, unknown>>;

function base(title: string, uid: string, tags: readonly string[]): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags([...tags])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser');
}

function operatorRows(): RowSpec[] {
  const sel = 'namespace=~"$namespace"';
  const r = (metric: string) => `rate(${metric}{${sel}}[$__rate_interval])`;
  const q = (p: number) => `histogram_quantile(${p}, sum by (le) (${r(`${O.reconcileDurationSeconds.name}_bucket`)}))`;
  return [
    {
      title: 'Operator',
      panels: [
        stat('Managed CesStreams', 'short', 'CesStream objects the leader manages.', `max(${O.managedStreams.name}{${sel}})`),
        stat('Leader replicas', 'short', 'Replicas holding the leader Lease (should be 1).', `sum(${O.leader.name}{${sel}})`),
        stat('Queue depth', 'short', 'Keys waiting in the work queue.', `sum(${O.queueDepth.name}{${sel}})`),
        timeseries('Reconciles / s', 'ops', 'Reconcile passes by result.', { expr: `sum by (result) (${r(O.reconcileTotal.name)})`, legend: '{{result}}' }),
        timeseries(
          'Reconcile duration',
          's',
          'Reconcile pass duration p50/p95/p99.',
          { expr: q(0.5), legend: 'p50' },
          { expr: q(0.95), legend: 'p95' },
          { expr: q(0.99), legend: 'p99' },
        ),
        timeseries('Reconcile errors / s', 'ops', 'Failed passes by the phase that failed.', { expr: `sum by (phase) (${r(O.reconcileErrorsTotal.name)})`, legend: '{{phase}}' }),
        timeseries('Queue depth', 'short', 'Work queue depth over time.', { expr: `sum(${O.queueDepth.name}{${sel}})`, legend: 'depth' }),
        timeseries('Retries / s', 'ops', 'Keys re-queued with backoff.', { expr: `sum(${r(O.queueRetriesTotal.name)})`, legend: 'retries' }),
        timeseries('Topic operations / s', 'ops', 'Kafka admin operations by kind.', { expr: `sum by (operation) (${r(O.topicOperationsTotal.name)})`, legend: '{{operation}}' }),
      ],
    },
  ];
}

/** Renders all dashboards. Pure: same input, same output (the drift test relies on it). */
export function renderDashboards(params: DashboardParams = {}): RenderedDashboards {
  const prefix = params.uidPrefix ?? 'ces';
  const tags = params.tags ?? ['ces'];
  const include = new Set<DashboardKind>(params.include ?? ['fleet', 'stream', 'operator']);
  const current = params.stream ? { namespace: params.stream.namespace, stream: params.stream.name } : undefined;
  const build: Record<DashboardKind, () => DashboardBuilder> = {
    fleet: () => addRows(addVariables(base('CES / Fleet overview', `${prefix}-fleet`, tags), { multi: true, stream: true }), gatewayRows(gatewaySelector, 'stream')),
    stream: () =>
      addRows(
        addVariables(base(params.stream ? `CES / Stream ${params.stream.namespace}/${params.stream.name}` : 'CES / Stream', `${prefix}-stream`, tags), {
          multi: false,
          stream: true,
          ...(current ? { current } : {}),
        }),
        gatewayRows(gatewaySelector, 'pod'),
      ),
    operator: () =>
      addRows(addVariables(base('CES / Operator', `${prefix}-operator`, tags), { multi: true, stream: false, source: O.leader.name }), operatorRows()),
  };
  const out: RenderedDashboards = {};
  for (const kind of ['fleet', 'stream', 'operator'] as const) {
    if (!include.has(kind)) continue;
    const model = build[kind]().build();
    out[`${model.uid}.json`] = model as unknown as Record<string, unknown>;
  }
  return out;
}

/** Every PromQL expression of every panel target of a dashboard model (for the sync and live tests). */
export function dashboardExpressions(model: Record<string, unknown>): { panel: string; expr: string }[] {
  const panels = (model.panels ?? []) as { title?: string; targets?: { expr?: string }[] }[];
  return panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title ?? '', expr: t.expr }] : [])));
}
