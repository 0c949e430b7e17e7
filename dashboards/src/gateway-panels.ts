/**
 * The gateway panels, shared by the fleet overview and the per-stream dashboard. `split` is the
 * label series are broken down by: `stream` across the fleet, `pod` within one stream.
 * Every metric name comes from the contract; `$__rate_interval` follows Grafana's scrape-aware rate window.
 */
import { GatewayMetrics as G } from '@ces/contracts/metrics';
import { series, type Matchers } from './promql.ts';
import { stat, timeseries, type RowSpec } from './panels.ts';

const R = '[$__rate_interval]';

export function gatewayRows(sel: Matchers, split: 'stream' | 'pod'): RowSpec[] {
  const s = (metric: string, ...extra: string[]) => series(metric, sel, ...extra);
  const rate = (metric: string, ...extra: string[]) => `rate(${s(metric, ...extra)}${R})`;
  const quantile = (q: number, metric: string, by: string, ...extra: string[]) =>
    `histogram_quantile(${q}, sum by (${by}le) (${rate(`${metric}_bucket`, ...extra)}))`;
  const legend = `{{${split}}}`;
  return [
    {
      title: 'Overview',
      panels: [
        stat('Connections', 'short', 'Open WebSocket connections.', `sum(${s(G.connections.name)})`),
        stat('Sessions', 'short', 'Registered, unexpired sessions (fleet-wide gauge, so max per stream).', `sum(max by (namespace, stream) (${s(G.sessions.name)}))`),
        stat('Ready gateways', 'short', 'Gateways reporting ready.', `sum(${s(G.ready.name)})`),
        stat('Delivered / s', 'ops', 'Message frames written to sockets per second.', `sum(${rate(G.messagesDeliveredTotal.name)})`),
        stat('Consumer lag', 'short', 'Records behind the high watermark, all assigned partitions.', `sum(${s(G.consumerLagRecords.name)})`),
        stat('Delivery p95', 's', 'Live delivery latency p95, Kafka timestamp to socket write.', quantile(0.95, G.deliveryLatencySeconds.name, '', 'path="live"')),
      ],
    },
    {
      title: 'Throughput',
      panels: [
        timeseries('Records consumed / s', 'ops', 'Kafka records consumed, by topic.', { expr: `sum by (topic) (${rate(G.recordsConsumedTotal.name)})`, legend: '{{topic}}' }),
        timeseries('Messages delivered / s', 'ops', 'Frames written to sockets (live and replay).', { expr: `sum by (${split}) (${rate(G.messagesDeliveredTotal.name)})`, legend }),
        timeseries('Replayed / s', 'ops', 'Frames replayed from history on connect or resume.', { expr: `sum by (${split}) (${rate(G.messagesReplayedTotal.name)})`, legend }),
        timeseries('History appends / s', 'ops', 'Appends to channel history; duplicate = idempotent re-append after redelivery.', { expr: `sum by (outcome) (${rate(G.historyAppendsTotal.name)})`, legend: '{{outcome}}' }),
        timeseries('Published / s', 'ops', 'Records produced by the gateway (push API, client publish, DLQ replay).', { expr: `sum by (source) (${rate(G.publishedTotal.name)})`, legend: '{{source}}' }),
        timeseries('Client frames / s', 'ops', 'Frames received from clients by type.', { expr: `sum by (type) (${rate(G.clientFramesTotal.name)})`, legend: '{{type}}' }),
      ],
    },
    {
      title: 'Latency',
      panels: [
        timeseries(
          'Delivery latency (live)',
          's',
          'Kafka record timestamp to socket write, p50/p95/p99.',
          { expr: quantile(0.5, G.deliveryLatencySeconds.name, '', 'path="live"'), legend: 'p50' },
          { expr: quantile(0.95, G.deliveryLatencySeconds.name, '', 'path="live"'), legend: 'p95' },
          { expr: quantile(0.99, G.deliveryLatencySeconds.name, '', 'path="live"'), legend: 'p99' },
        ),
        timeseries('Delivery p95 by ' + split, 's', 'Live delivery latency p95 per ' + split + '.', {
          expr: quantile(0.95, G.deliveryLatencySeconds.name, `${split}, `, 'path="live"'),
          legend,
        }),
        timeseries('Replay latency p95', 's', 'Record timestamp to socket write for replayed frames (includes time spent offline).', {
          expr: quantile(0.95, G.deliveryLatencySeconds.name, '', 'path="replay"'),
          legend: 'p95',
        }),
        timeseries('HTTP p95 by route', 's', 'HTTP request duration p95.', { expr: quantile(0.95, G.httpRequestDurationSeconds.name, 'route, '), legend: '{{route}}' }),
        timeseries('Redis p95 by command', 's', 'Redis command/script duration p95.', { expr: quantile(0.95, G.redisCommandDurationSeconds.name, 'command, '), legend: '{{command}}' }),
      ],
    },
    {
      title: 'Connections and sessions',
      panels: [
        timeseries('Connections per pod', 'short', 'Open WebSocket connections per gateway pod (the HPA signal).', { expr: `sum by (pod) (${s(G.connections.name)})`, legend: '{{pod}}' }),
        timeseries('Sessions', 'short', 'Registered, unexpired sessions as seen by each pod.', { expr: `max by (pod) (${s(G.sessions.name)})`, legend: '{{pod}}' }),
        timeseries('Registrations / s', 'ops', 'POST /api/register by outcome.', { expr: `sum by (outcome) (${rate(G.registrationsTotal.name)})`, legend: '{{outcome}}' }),
        timeseries('Upgrades / s', 'ops', 'WebSocket upgrades by outcome.', { expr: `sum by (outcome) (${rate(G.upgradesTotal.name)})`, legend: '{{outcome}}' }),
        timeseries('Disconnects / s by close code', 'ops', 'Closed connections by close code (see the close-code table).', { expr: `sum by (code) (${rate(G.disconnectsTotal.name)})`, legend: '{{code}}' }),
        timeseries('Resumes / s', 'ops', 'Resumed sessions by whether every channel recovered.', { expr: `sum by (recovered) (${rate(G.resumesTotal.name)})`, legend: 'recovered={{recovered}}' }),
        timeseries('Slow-consumer closes / s', 'ops', 'Connections closed for exceeding the outbound queue bound.', { expr: `sum by (${split}) (${rate(G.slowConsumerClosesTotal.name)})`, legend }),
      ],
    },
    {
      title: 'Kafka, DLQ and dependencies',
      panels: [
        timeseries('Consumer lag by topic', 'short', 'Records behind, summed over partitions.', { expr: `sum by (topic) (${s(G.consumerLagRecords.name)})`, legend: '{{topic}}' }),
        timeseries('Consumer lag by partition', 'short', 'Records behind per topic partition.', { expr: `max by (topic, partition) (${s(G.consumerLagRecords.name)})`, legend: '{{topic}}/{{partition}}' }),
        timeseries('DLQ records / s by reason', 'ops', 'Records sent to the dead-letter topic.', { expr: `sum by (reason) (${rate(G.dlqRecordsTotal.name)})`, legend: '{{reason}}' }),
        timeseries('Circuit breakers', 'short', '0 closed, 1 open, 2 half-open, per dependency (max over pods).', { expr: `max by (dependency) (${s(G.breakerState.name)})`, legend: '{{dependency}}' }),
      ],
    },
    {
      title: 'HTTP',
      panels: [
        timeseries('HTTP requests / s', 'reqps', 'Requests by route and status.', { expr: `sum by (route, status) (${rate(`${G.httpRequestDurationSeconds.name}_count`)})`, legend: '{{route}} {{status}}' }),
        timeseries('HTTP 5xx ratio', 'percentunit', 'Share of requests answered with a server error.', {
          expr: `sum(${rate(`${G.httpRequestDurationSeconds.name}_count`, 'status=~"5.."')}) / sum(${rate(`${G.httpRequestDurationSeconds.name}_count`)})`,
          legend: '5xx',
        }),
      ],
    },
    {
      title: 'Process',
      panels: [
        timeseries('CPU', 'percentunit', 'CPU seconds per second, per pod.', { expr: `sum by (pod) (${rate('process_cpu_seconds_total')})`, legend: '{{pod}}' }),
        timeseries('Resident memory', 'bytes', 'RSS per pod.', { expr: `sum by (pod) (${s('process_resident_memory_bytes')})`, legend: '{{pod}}' }),
        timeseries('Heap used', 'bytes', 'V8 heap used per pod.', { expr: `sum by (pod) (${s('nodejs_heap_size_used_bytes')})`, legend: '{{pod}}' }),
        timeseries('Event loop lag p99', 's', 'Event loop delay p99 per pod.', { expr: `max by (pod) (${s('nodejs_eventloop_lag_p99_seconds')})`, legend: '{{pod}}' }),
      ],
    },
  ];
}
