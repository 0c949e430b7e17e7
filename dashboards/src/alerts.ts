/**
 * The CES alert catalogue: every alert once, with its PromQL built from the metric contract and
 * its threshold taken from parameters (the operator fills them per CesStream from
 * `spec.monitoring`). `render-alerts.ts` turns the catalogue into the three deployable forms.
 * Each alert links to its section of docs/runbook.md (anchor = lower-cased alert name).
 */
import { GatewayMetrics as G, OperatorMetrics as O } from '@ces/contracts/metrics';
import { equals, series, type Matchers } from './promql.ts';

/** Thresholds; units are in the names. Defaults are {@link DefaultThresholds}. */
export interface AlertThresholds {
  /** Total consumer lag per topic, in records. @default 100000 (seed 001 R6) */
  consumerLagRecords: number;
  /** Failed share of records (DLQ / consumed) and of HTTP requests (5xx / all). @default 0.01 (seed 001 R6) */
  errorRateRatio: number;
  /** Live delivery p95, Kafka timestamp → socket write, in seconds. @default 0.1 (seed 000) */
  deliveryP95Seconds: number;
  /** How long a breaker may stay not-closed before alerting. @default '1m' */
  breakerOpenFor: string;
  /** DLQ records per 10 minutes tolerated before "DLQ growing" fires. @default 0 */
  dlqRecordsPer10m: number;
  /** Slow-consumer closes per second before "spiking" fires. @default 0.2 */
  slowConsumerClosesPerSecond: number;
  /** How long a stream may have no ready gateway. @default '2m' */
  noReadyGatewayFor: string;
  /** Operator reconcile errors per second before alerting. @default 0 */
  reconcileErrorsPerSecond: number;
}

export const DefaultThresholds: Readonly<AlertThresholds> = Object.freeze({
  consumerLagRecords: 100_000,
  errorRateRatio: 0.01,
  deliveryP95Seconds: 0.1,
  breakerOpenFor: '1m',
  dlqRecordsPer10m: 0,
  slowConsumerClosesPerSecond: 0.2,
  noReadyGatewayFor: '2m',
  reconcileErrorsPerSecond: 0,
});

export interface AlertParams {
  /** Labels selecting one stream's gateway series, e.g. `{ namespace: 'shop', stream: 'orders' }`. @default {} (all streams) */
  selector?: Readonly<Record<string, string>>;
  /** Overrides of {@link DefaultThresholds}. */
  thresholds?: Partial<AlertThresholds>;
  /** Include the operator's own alerts (once per cluster, not per stream). @default true when no selector is given */
  includeOperator?: boolean;
  /** Base URL of the runbook; each alert appends `#<alertname lower-cased>`. @default 'docs/runbook.md' */
  runbookUrl?: string;
}

export type Severity = 'warning' | 'critical';

/** One alert, independent of the form it is deployed in. */
export interface AlertDefinition {
  /** Alert name, also the runbook anchor (lower-cased). */
  name: string;
  /** PromQL whose value is compared with the threshold (the Grafana forms query this). */
  query: string;
  op: '>' | '<';
  threshold: number;
  /** `query op threshold`: the alert fires for every series this returns (the Prometheus forms). */
  expr: string;
  /** Prometheus duration the condition must hold. */
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  runbookUrl: string;
}

/** An alert before rendering; `union` marks a query that is an `or` of two vectors. */
type Draft = Omit<AlertDefinition, 'runbookUrl' | 'expr'> & { union?: boolean };

/** Labels gateway alerts aggregate by, so a notification names the stream. */
const BY = 'namespace, stream';

function ratio(numerator: string, denominator: string): string {
  return `(${numerator}) / (${denominator})`;
}

function gatewayAlerts(sel: Matchers, t: AlertThresholds, absentCheck: boolean): Draft[] {
  const rate = (metric: string, ...extra: string[]) => `rate(${series(metric, sel, ...extra)}[5m])`;
  const ready = series(G.ready.name, sel);
  return [
    {
      name: 'CesConsumerLagHigh',
      query: `sum by (${BY}, topic) (${series(G.consumerLagRecords.name, sel)})`,
      op: '>',
      threshold: t.consumerLagRecords,
      for: '5m',
      severity: 'warning',
      summary: 'CES consumer lag on {{ $labels.topic }} is {{ $value }} records',
      description: `Gateways of {{ $labels.namespace }}/{{ $labels.stream }} are more than ${t.consumerLagRecords} records behind on {{ $labels.topic }}.`,
    },
    {
      name: 'CesRecordErrorRateHigh',
      query: ratio(`sum by (${BY}) (${rate(G.dlqRecordsTotal.name)})`, `sum by (${BY}) (${rate(G.recordsConsumedTotal.name)})`),
      op: '>',
      threshold: t.errorRateRatio,
      for: '5m',
      severity: 'warning',
      summary: 'CES sends {{ $value | humanizePercentage }} of records to the DLQ',
      description: `More than ${t.errorRateRatio * 100}% of the records {{ $labels.namespace }}/{{ $labels.stream }} consumed went to the dead-letter topic.`,
    },
    {
      name: 'CesHttpErrorRateHigh',
      query: ratio(
        `sum by (${BY}) (${rate(`${G.httpRequestDurationSeconds.name}_count`, 'status=~"5.."')})`,
        `sum by (${BY}) (${rate(`${G.httpRequestDurationSeconds.name}_count`)})`,
      ),
      op: '>',
      threshold: t.errorRateRatio,
      for: '5m',
      severity: 'warning',
      summary: 'CES answers {{ $value | humanizePercentage }} of HTTP requests with 5xx',
      description: `More than ${t.errorRateRatio * 100}% of HTTP requests to {{ $labels.namespace }}/{{ $labels.stream }} failed with a server error.`,
    },
    {
      name: 'CesDeliveryLatencyHigh',
      query: `histogram_quantile(0.95, sum by (${BY}, le) (${rate(`${G.deliveryLatencySeconds.name}_bucket`, 'path="live"')}))`,
      op: '>',
      threshold: t.deliveryP95Seconds,
      for: '10m',
      severity: 'warning',
      summary: 'CES live delivery p95 is {{ $value | humanizeDuration }}',
      description: `The 95th percentile of Kafka-timestamp-to-socket-write latency of {{ $labels.namespace }}/{{ $labels.stream }} is over ${t.deliveryP95Seconds} s.`,
    },
    {
      name: 'CesCircuitBreakerOpen',
      query: `max by (${BY}, dependency) (${series(G.breakerState.name, sel)})`,
      op: '>',
      threshold: 0,
      for: t.breakerOpenFor,
      severity: 'critical',
      summary: 'CES circuit breaker for {{ $labels.dependency }} is not closed',
      description: `The {{ $labels.dependency }} breaker of {{ $labels.namespace }}/{{ $labels.stream }} has been open or half-open for ${t.breakerOpenFor}; consumption is paused.`,
    },
    {
      name: 'CesDlqGrowing',
      query: `sum by (${BY}, reason) (increase(${series(G.dlqRecordsTotal.name, sel)}[10m]))`,
      op: '>',
      threshold: t.dlqRecordsPer10m,
      for: '5m',
      severity: 'warning',
      summary: 'CES DLQ grew by {{ $value }} records ({{ $labels.reason }}) in 10m',
      description: 'Records of {{ $labels.namespace }}/{{ $labels.stream }} keep going to the dead-letter topic with reason {{ $labels.reason }}.',
    },
    {
      name: 'CesSlowConsumerClosesSpiking',
      query: `sum by (${BY}) (${rate(G.slowConsumerClosesTotal.name)})`,
      op: '>',
      threshold: t.slowConsumerClosesPerSecond,
      for: '5m',
      severity: 'warning',
      summary: 'CES closes {{ $value }} slow consumers per second',
      description: `{{ $labels.namespace }}/{{ $labels.stream }} closes more than ${t.slowConsumerClosesPerSecond} connections/s for exceeding the outbound queue bound.`,
    },
    {
      name: 'CesNoReadyGateway',
      // absent() covers a stream whose gateways are all gone (their series vanish, so sum() is empty).
      query: `sum by (${BY}) (${ready})${absentCheck ? ` or 0 * absent(${ready})` : ''}`,
      union: absentCheck,
      op: '<',
      threshold: 1,
      for: t.noReadyGatewayFor,
      severity: 'critical',
      summary: 'CES stream has no ready gateway',
      description: `No gateway of {{ $labels.namespace }}/{{ $labels.stream }} has been ready for ${t.noReadyGatewayFor}; clients cannot connect.`,
    },
  ];
}

function operatorAlerts(t: AlertThresholds): Draft[] {
  return [
    {
      name: 'CesOperatorReconcileErrors',
      query: `sum by (namespace) (rate(${O.reconcileErrorsTotal.name}[10m]))`,
      op: '>',
      threshold: t.reconcileErrorsPerSecond,
      for: '15m',
      severity: 'warning',
      summary: 'CES operator reconcile keeps failing',
      description: 'The CES operator in {{ $labels.namespace }} has failed reconcile passes for 15 minutes; CesStream changes are not applied.',
    },
  ];
}

/** The alert catalogue for one set of parameters, in a stable order. */
export function alertDefinitions(params: AlertParams = {}): AlertDefinition[] {
  const thresholds = validThresholds({ ...DefaultThresholds, ...params.thresholds });
  const selector = validSelector(params.selector ?? {});
  const scoped = Object.keys(selector).length > 0;
  const runbook = params.runbookUrl ?? 'docs/runbook.md';
  const defs = [
    ...gatewayAlerts(equals(selector), thresholds, scoped),
    ...((params.includeOperator ?? !scoped) ? operatorAlerts(thresholds) : []),
  ];
  return defs.map(({ union, ...d }) => ({
    ...d,
    // `or` binds looser than comparisons: parenthesize so the threshold applies to the whole query.
    expr: `${union ? `(${d.query})` : d.query} ${d.op} ${d.threshold}`,
    runbookUrl: `${runbook}#${d.name.toLowerCase()}`,
  }));
}

const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Rejects thresholds that would render an invalid or meaningless rule (NaN, negative, bad durations). */
function validThresholds(t: AlertThresholds): AlertThresholds {
  for (const [key, value] of Object.entries(t)) {
    if (typeof value === 'number' ? !Number.isFinite(value) || value < 0 : !DURATION.test(String(value))) {
      throw new RangeError(`alert threshold ${key} is invalid: ${JSON.stringify(value)}`);
    }
  }
  return t;
}

/** Label names must be Prometheus label names; values are quoted when rendered, so any string is safe. */
function validSelector(selector: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(selector)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new RangeError(`selector label name is invalid: ${JSON.stringify(name)}`);
    if (typeof value !== 'string') throw new RangeError(`selector label ${name} must be a string`);
  }
  return selector;
}
