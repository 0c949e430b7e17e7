/**
 * Synthetic series for the promtool unit tests: for every alert, one case where it fires and one
 * where it stays quiet. Series use promtool's expanding notation (`0+10x20` = 0, 10, … 200 at the
 * test interval of 1m). Values are chosen against {@link DefaultThresholds}.
 */
import { GatewayMetrics as G, OperatorMetrics as O } from '@ces/contracts/metrics';

export interface AlertCase {
  name: string;
  alert: string;
  evalTime: string;
  series: [string, string][];
  /** Expected alert labels (besides alertname); empty = must not fire. */
  expect: Record<string, string>[];
}

const S = 'namespace="shop",stream="orders"';
const at = { namespace: 'shop', stream: 'orders' };

function pair(alert: string, evalTime: string, firing: [string, string][], quiet: [string, string][], labels: Record<string, string>): AlertCase[] {
  return [
    { name: `${alert} fires`, alert, evalTime, series: firing, expect: [{ severity: severityOf(alert), ...labels }] },
    { name: `${alert} stays quiet`, alert, evalTime, series: quiet, expect: [] },
  ];
}

function severityOf(alert: string): string {
  return alert === 'CesCircuitBreakerOpen' || alert === 'CesNoReadyGateway' ? 'critical' : 'warning';
}

function gatewayCases(): AlertCase[] {
  const lag = (p: number, v: string): [string, string] => [`${G.consumerLagRecords.name}{${S},topic="t",partition="${p}"}`, v];
  const consumed: [string, string] = [`${G.recordsConsumedTotal.name}{${S},topic="t"}`, '0+100x20'];
  const dlq = (v: string, reason = 'decode'): [string, string] => [`${G.dlqRecordsTotal.name}{${S},reason="${reason}"}`, v];
  const http = (status: number, v: string): [string, string] => [
    `${G.httpRequestDurationSeconds.name}_count{${S},route="/api/register",method="POST",status="${status}"}`,
    v,
  ];
  const bucket = (le: string, v: string): [string, string] => [`${G.deliveryLatencySeconds.name}_bucket{${S},path="live",le="${le}"}`, v];
  const breaker = (v: string): [string, string] => [`${G.breakerState.name}{${S},dependency="redis"}`, v];
  const slow = (v: string): [string, string] => [`${G.slowConsumerClosesTotal.name}{${S}}`, v];
  const ready = (pod: string, v: string): [string, string] => [`${G.ready.name}{${S},pod="${pod}"}`, v];
  return [
    ...pair('CesConsumerLagHigh', '10m', [lag(0, '60000x10'), lag(1, '50000x10')], [lag(0, '40000x10'), lag(1, '50000x10')], { ...at, topic: 't' }),
    ...pair('CesRecordErrorRateHigh', '15m', [consumed, dlq('0+2x20')], [consumed, dlq('0+0.5x20')], at),
    ...pair('CesHttpErrorRateHigh', '15m', [http(200, '0+100x20'), http(503, '0+5x20')], [http(200, '0+100x20'), http(503, '0+0.5x20')], at),
    ...pair(
      'CesDeliveryLatencyHigh',
      '20m',
      [bucket('0.05', '0+10x30'), bucket('0.1', '0+10x30'), bucket('0.25', '0+100x30'), bucket('+Inf', '0+100x30')],
      [bucket('0.05', '0+100x30'), bucket('0.1', '0+100x30'), bucket('0.25', '0+100x30'), bucket('+Inf', '0+100x30')],
      at,
    ),
    ...pair('CesCircuitBreakerOpen', '5m', [breaker('1 2 1 2 1 2')], [breaker('0 1 0 1 0 0')], { ...at, dependency: 'redis' }),
    ...pair('CesDlqGrowing', '20m', [dlq('0+1x30', 'no_target')], [dlq('5x30', 'no_target')], { ...at, reason: 'no_target' }),
    ...pair('CesSlowConsumerClosesSpiking', '15m', [slow('0+30x20')], [slow('0+6x20')], at),
    ...pair('CesNoReadyGateway', '5m', [ready('a', '0x10'), ready('b', '0x10')], [ready('a', '1x10'), ready('b', '0x10')], at),
  ];
}

/** Cases for the all-streams rule file (`scoped: false`, includes the operator) or a per-stream one. */
export function alertCases(opts: { scoped: boolean }): AlertCase[] {
  const cases = gatewayCases();
  if (opts.scoped) {
    // Only per-stream rules can notice that every gateway of the stream vanished.
    cases.push({ name: 'CesNoReadyGateway fires when the stream has no gateway series', alert: 'CesNoReadyGateway', evalTime: '5m', series: [], expect: [{ severity: 'critical', ...at }] });
    // A per-stream rule ignores other streams.
    cases.push({
      name: 'CesConsumerLagHigh ignores other streams',
      alert: 'CesConsumerLagHigh',
      evalTime: '10m',
      series: [[`${G.consumerLagRecords.name}{namespace="shop",stream="other",topic="t",partition="0"}`, '900000x10']],
      expect: [],
    });
    return cases;
  }
  const errors = (v: string): [string, string] => [`${O.reconcileErrorsTotal.name}{namespace="ces-system",phase="apply"}`, v];
  return [...cases, ...pair('CesOperatorReconcileErrors', '30m', [errors('0+1x40')], [errors('3x40')], { namespace: 'ces-system' })];
}
