/**
 * The gateway's Prometheus metrics: one prom-client registry and every metric object, built from
 * the specs in `@ces/contracts/metrics` (the one source of names that dashboards and alerts also
 * read). Create it once in main and pass `metrics` down; serve `metrics.registry` on `/metrics`.
 *
 * Label values are typed: closed sets (outcome, reason, dependency, …) accept only the values the
 * contract lists, so a typo is a compile error rather than a new, unqueried series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  ClientFrameTypes,
  DlqReasons,
  GatewayMetrics as Spec,
  HistoryAppendOutcomes,
  PublishSources,
  RecoveredValues,
  RegistrationOutcomes,
  UpgradeOutcomes,
  StreamLabel,
  type BreakerDependency,
  type ClientFrameType,
  type DeliveryPath,
  type DlqReason,
  type HistoryAppendOutcome,
  type MetricSpec,
  type PublishSource,
  type RecoveredValue,
  type RegistrationOutcome,
  type UpgradeOutcome,
} from '@ces/contracts/metrics';

/** A counter whose label set is fixed and typed. */
export interface TypedCounter<L extends object> {
  inc(labels: L, value?: number): void;
}
/** A gauge whose label set is fixed and typed; `remove` drops a series (e.g. a revoked partition). */
export interface TypedGauge<L extends object> {
  set(labels: L, value: number): void;
  inc(labels: L, value?: number): void;
  dec(labels: L, value?: number): void;
  remove(labels: L): void;
}
/** A histogram whose label set is fixed and typed. Observations are in the unit its name ends with. */
export interface TypedHistogram<L extends object> {
  observe(labels: L, value: number): void;
  /** Starts a timer; calling the result observes the elapsed seconds (labels may be completed then). */
  startTimer(labels?: Partial<L>): (labels?: Partial<L>) => number;
}

export interface GatewayMetrics {
  /** The registry to serve on `GET /metrics` (`await registry.metrics()`, `registry.contentType`). */
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly sessions: Gauge;
  readonly registrationsTotal: TypedCounter<{ outcome: RegistrationOutcome }>;
  readonly upgradesTotal: TypedCounter<{ outcome: UpgradeOutcome }>;
  /** `topic` is a configured topic name (bounded by configuration). */
  readonly recordsConsumedTotal: TypedCounter<{ topic: string }>;
  readonly historyAppendsTotal: TypedCounter<{ outcome: HistoryAppendOutcome }>;
  readonly messagesDeliveredTotal: Counter;
  readonly messagesReplayedTotal: Counter;
  /** Seconds from the Kafka record timestamp to the socket write. */
  readonly deliveryLatencySeconds: TypedHistogram<{ path: DeliveryPath }>;
  /** Report only partitions assigned to this gateway and `remove` them on revoke, so sum() across pods is the group's lag. */
  readonly consumerLagRecords: TypedGauge<{ topic: string; partition: number | string }>;
  readonly dlqRecordsTotal: TypedCounter<{ reason: DlqReason }>;
  /** Values from `BreakerStates` in the contract: 0 closed, 1 open, 2 half-open. */
  readonly breakerState: TypedGauge<{ dependency: BreakerDependency }>;
  /** `code` must come from `closeCodeLabel(code)` so unknown codes collapse into `other`. */
  readonly disconnectsTotal: TypedCounter<{ code: string }>;
  readonly resumesTotal: TypedCounter<{ recovered: RecoveredValue }>;
  readonly slowConsumerClosesTotal: Counter;
  readonly clientFramesTotal: TypedCounter<{ type: ClientFrameType }>;
  readonly publishedTotal: TypedCounter<{ source: PublishSource }>;
  /** `route` is the route template (`/ws/:sessionId`), never the raw URL; unmatched routes use `unmatched`. */
  readonly httpRequestDurationSeconds: TypedHistogram<{ route: string; method: string; status: number | string }>;
  /** `command` is a command or script name (`evalsha:append`), never a key. */
  readonly redisCommandDurationSeconds: TypedHistogram<{ command: string }>;
  readonly ready: Gauge;
}

export interface MetricsOptions {
  /** The CesStream this gateway serves; added as the `stream` label on every series. @default none */
  stream?: string;
  /** Register Node's default process metrics (`process_*`, `nodejs_*`). @default true */
  defaultMetrics?: boolean;
}

function common(spec: MetricSpec, registry: Registry) {
  return { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [registry] };
}
function counter(spec: MetricSpec, registry: Registry): Counter {
  return new Counter(common(spec, registry));
}
function gauge(spec: MetricSpec, registry: Registry): Gauge {
  return new Gauge(common(spec, registry));
}
function histogram(spec: MetricSpec, registry: Registry): Histogram {
  return new Histogram({ ...common(spec, registry), buckets: [...(spec.buckets ?? [])] });
}

/**
 * Builds every gateway metric on `registry`. Call once per registry: prom-client refuses to
 * register the same name twice. Tests create their own registry each time.
 */
export function createMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): GatewayMetrics {
  if (options.stream !== undefined) registry.setDefaultLabels({ [StreamLabel]: options.stream });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const metrics: GatewayMetrics = {
    registry,
    connections: gauge(Spec.connections, registry),
    sessions: gauge(Spec.sessions, registry),
    registrationsTotal: counter(Spec.registrationsTotal, registry),
    upgradesTotal: counter(Spec.upgradesTotal, registry),
    recordsConsumedTotal: counter(Spec.recordsConsumedTotal, registry),
    historyAppendsTotal: counter(Spec.historyAppendsTotal, registry),
    messagesDeliveredTotal: counter(Spec.messagesDeliveredTotal, registry),
    messagesReplayedTotal: counter(Spec.messagesReplayedTotal, registry),
    deliveryLatencySeconds: histogram(Spec.deliveryLatencySeconds, registry),
    consumerLagRecords: gauge(Spec.consumerLagRecords, registry),
    dlqRecordsTotal: counter(Spec.dlqRecordsTotal, registry),
    breakerState: gauge(Spec.breakerState, registry),
    disconnectsTotal: counter(Spec.disconnectsTotal, registry),
    resumesTotal: counter(Spec.resumesTotal, registry),
    slowConsumerClosesTotal: counter(Spec.slowConsumerClosesTotal, registry),
    clientFramesTotal: counter(Spec.clientFramesTotal, registry),
    publishedTotal: counter(Spec.publishedTotal, registry),
    httpRequestDurationSeconds: histogram(Spec.httpRequestDurationSeconds, registry),
    redisCommandDurationSeconds: histogram(Spec.redisCommandDurationSeconds, registry),
    ready: gauge(Spec.ready, registry),
  };
  zeroClosedSets(metrics);
  return metrics;
}

/**
 * Starts every series of a closed label set at 0, so `rate()` sees the first increment and a
 * query for an outcome that never happened returns 0 rather than nothing.
 */
function zeroClosedSets(m: GatewayMetrics): void {
  for (const outcome of RegistrationOutcomes) m.registrationsTotal.inc({ outcome }, 0);
  for (const outcome of UpgradeOutcomes) m.upgradesTotal.inc({ outcome }, 0);
  for (const outcome of HistoryAppendOutcomes) m.historyAppendsTotal.inc({ outcome }, 0);
  for (const reason of DlqReasons) m.dlqRecordsTotal.inc({ reason }, 0);
  for (const recovered of RecoveredValues) m.resumesTotal.inc({ recovered }, 0);
  for (const type of ClientFrameTypes) m.clientFramesTotal.inc({ type }, 0);
  for (const source of PublishSources) m.publishedTotal.inc({ source }, 0);
}

/**
 * The current value of one series, or undefined when it has never been set. For tests that
 * assert outcomes through metrics (`await metricValue(m.registry, 'ces_gateway_connections')`).
 * Histograms: pass the `_count` or `_sum` name.
 */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string | number> = {},
): Promise<number | undefined> {
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(base);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? base) === name &&
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === String(want)),
  );
  return found?.value;
}
