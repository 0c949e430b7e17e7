/**
 * Every Prometheus metric CES exports, defined once. The gateway (`gateway/src/observability/
 * metrics.ts`) and the operator build their prom-client objects from these specs; dashboards and
 * alert rules (`dashboards/`) build their PromQL from the same names, and a sync test fails when a
 * query names a metric the code does not export.
 *
 * Conventions (Prometheus "Metric and label naming"): `ces_gateway_` / `ces_operator_` prefix,
 * base units in the name (`_seconds`, `_bytes`), `_total` on counters. Labels are bounded: every
 * label's values come from configuration (topics, routes) or from a closed list below — never a
 * session id, customer id, connection id or message key. Names are append-only: renaming one
 * breaks every dashboard and alert that uses it.
 *
 * Per-pod and per-stream breakdowns come from target labels Prometheus attaches when it scrapes
 * (`pod`, `namespace`) and from the `stream` default label the gateway sets on all its series
 * (see {@link StreamLabel}).
 */

/** What a metric spec says. `labelNames` is the complete, ordered set of labels the metric carries. */
export interface MetricSpec {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Histogram bucket upper bounds, in the unit the name ends with. */
  readonly buckets?: readonly number[];
}

/**
 * Default label every gateway series carries: the CesStream the gateway serves. Set from the
 * gateway config (`createMetrics(registry, { stream })`); dashboards template on it.
 */
export const StreamLabel = 'stream';

/** Latency buckets for the delivery path, in seconds: 1 ms … 30 s, dense around the 100 ms SLO. */
export const DeliveryLatencyBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;
/** HTTP request buckets, in seconds. */
export const HttpDurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Redis command buckets, in seconds: sub-millisecond to 1 s. */
export const RedisDurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;
/** Operator reconcile buckets, in seconds. */
export const ReconcileDurationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

// ---- closed label value sets -------------------------------------------------------------------

/** `ces_gateway_registrations_total{outcome}`: how `POST /api/register` ended. */
export const RegistrationOutcomes = [
  'ok', // registered
  'invalid', // malformed body or session id
  'unauthorized', // unknown session, bad JWT signature/claims
  'expired', // session or token expired
  'revoked', // session was revoked
  'rate_limited',
  'capacity', // maxSessions reached
  'error', // a dependency failed (Redis)
] as const;
export type RegistrationOutcome = (typeof RegistrationOutcomes)[number];

/** `ces_gateway_upgrades_total{outcome}`: how `GET /ws/{sessionId}` ended. */
export const UpgradeOutcomes = [
  'accepted',
  'unauthorized', // unknown, unregistered, expired or revoked session
  'forbidden_origin',
  'rate_limited',
  'capacity',
  'draining', // gateway shutting down
  'error',
] as const;
export type UpgradeOutcome = (typeof UpgradeOutcomes)[number];

/** `ces_gateway_dlq_records_total{reason}`: why a record went to the dead-letter topic. */
export const DlqReasons = [
  'decode', // not valid JSON/Avro/Protobuf
  'validation', // failed the topic's JSON Schema
  'no_target', // names no valid session/customer/room/broadcast target
  'too_large',
  'unknown_session', // undeliverable policy: session unknown or expired
  'history_overflow', // undeliverable policy: unacked entries evicted from history
  'replay_failed', // admin replay could not re-produce it
] as const;
export type DlqReason = (typeof DlqReasons)[number];

/** `ces_gateway_breaker_state{dependency}` values. Alert on `> 0` (not closed). */
export const BreakerStates = { closed: 0, open: 1, half_open: 2 } as const;
export type BreakerStateName = keyof typeof BreakerStates;
/** Dependencies guarded by a circuit breaker. */
export const BreakerDependencies = ['redis', 'kafka', 'schema_registry'] as const;
export type BreakerDependency = (typeof BreakerDependencies)[number];

/** `ces_gateway_delivery_latency_seconds{path}`: live fan-out vs. replay from history. */
export const DeliveryPaths = ['live', 'replay'] as const;
export type DeliveryPath = (typeof DeliveryPaths)[number];

/** `ces_gateway_resumes_total{recovered}`. */
export const RecoveredValues = ['true', 'false'] as const;
export type RecoveredValue = (typeof RecoveredValues)[number];

/** `ces_gateway_published_total{source}`: records the gateway produced to Kafka. */
export const PublishSources = ['push', 'client', 'dlq_replay'] as const;
export type PublishSource = (typeof PublishSources)[number];

/** `ces_gateway_history_appends_total{outcome}`: `duplicate` = idempotent re-append of a redelivered record. */
export const HistoryAppendOutcomes = ['appended', 'duplicate'] as const;
export type HistoryAppendOutcome = (typeof HistoryAppendOutcomes)[number];

/** `ces_gateway_client_frames_total{type}`; `invalid` = not valid ces.v1. */
export const ClientFrameTypes = ['ack', 'ping', 'publish', 'subscribe', 'unsubscribe', 'invalid'] as const;
export type ClientFrameType = (typeof ClientFrameTypes)[number];

/**
 * `ces_gateway_disconnects_total{code}` carries the numeric close code as a string. Codes outside
 * the close-code table and the standard 1000–1015 range are reported as `other`, keeping it bounded.
 */
export const OtherCloseCode = 'other';
export function closeCodeLabel(code: number): string {
  if ((code >= 1000 && code <= 1015) || (code >= 4000 && code <= 4999)) return String(code);
  return OtherCloseCode;
}

/** `ces_operator_reconcile_total{result}`. */
export const ReconcileResults = ['success', 'error', 'requeue'] as const;
export type ReconcileResult = (typeof ReconcileResults)[number];
/** `ces_operator_reconcile_errors_total{phase}`: where a failed pass stopped. */
export const ReconcilePhases = ['fetch', 'render', 'apply', 'topics', 'prune', 'status', 'finalize'] as const;
export type ReconcilePhase = (typeof ReconcilePhases)[number];
/** `ces_operator_topic_operations_total{operation}`. */
export const TopicOperations = ['create', 'expand', 'config', 'verify'] as const;
export type TopicOperation = (typeof TopicOperations)[number];

// ---- the gateway's metrics ---------------------------------------------------------------------

export const GatewayMetrics = {
  /** Open WebSocket connections on this gateway (the HPA's connections-per-pod signal). */
  connections: { name: 'ces_gateway_connections', type: 'gauge', help: 'Open WebSocket connections on this gateway.', labelNames: [] },
  /** Registered, unexpired sessions in the session store. Fleet-wide: every pod reports it; use max(). */
  sessions: {
    name: 'ces_gateway_sessions',
    type: 'gauge',
    help: 'Registered, unexpired sessions in the session store (fleet-wide value; aggregate with max).',
    labelNames: [],
  },
  registrationsTotal: {
    name: 'ces_gateway_registrations_total',
    type: 'counter',
    help: 'POST /api/register requests by outcome.',
    labelNames: ['outcome'],
  },
  upgradesTotal: {
    name: 'ces_gateway_upgrades_total',
    type: 'counter',
    help: 'WebSocket upgrade requests by outcome.',
    labelNames: ['outcome'],
  },
  recordsConsumedTotal: {
    name: 'ces_gateway_records_consumed_total',
    type: 'counter',
    help: 'Kafka records consumed, by topic.',
    labelNames: ['topic'],
  },
  historyAppendsTotal: {
    name: 'ces_gateway_history_appends_total',
    type: 'counter',
    help: 'Channel history appends by outcome (duplicate = idempotent re-append of a redelivered record).',
    labelNames: ['outcome'],
  },
  messagesDeliveredTotal: {
    name: 'ces_gateway_messages_delivered_total',
    type: 'counter',
    help: 'Message frames written to client sockets (live and replayed).',
    labelNames: [],
  },
  messagesReplayedTotal: {
    name: 'ces_gateway_messages_replayed_total',
    type: 'counter',
    help: 'Message frames replayed from history on connect or resume.',
    labelNames: [],
  },
  deliveryLatencySeconds: {
    name: 'ces_gateway_delivery_latency_seconds',
    type: 'histogram',
    help: 'Time from the Kafka record timestamp to the socket write, by path (live or replay).',
    labelNames: ['path'],
    buckets: DeliveryLatencyBuckets,
  },
  consumerLagRecords: {
    name: 'ces_gateway_consumer_lag_records',
    type: 'gauge',
    help: 'Records between the committed offset and the high watermark, per assigned topic partition.',
    labelNames: ['topic', 'partition'],
  },
  dlqRecordsTotal: {
    name: 'ces_gateway_dlq_records_total',
    type: 'counter',
    help: 'Records sent to the dead-letter topic, by reason.',
    labelNames: ['reason'],
  },
  breakerState: {
    name: 'ces_gateway_breaker_state',
    type: 'gauge',
    help: 'Circuit breaker state per dependency: 0 closed, 1 open, 2 half-open.',
    labelNames: ['dependency'],
  },
  disconnectsTotal: {
    name: 'ces_gateway_disconnects_total',
    type: 'counter',
    help: 'Closed WebSocket connections by close code.',
    labelNames: ['code'],
  },
  resumesTotal: {
    name: 'ces_gateway_resumes_total',
    type: 'counter',
    help: 'Connections that resumed an existing session, by whether every channel recovered.',
    labelNames: ['recovered'],
  },
  slowConsumerClosesTotal: {
    name: 'ces_gateway_slow_consumer_closes_total',
    type: 'counter',
    help: 'Connections closed because their outbound queue exceeded its byte bound.',
    labelNames: [],
  },
  clientFramesTotal: {
    name: 'ces_gateway_client_frames_total',
    type: 'counter',
    help: 'Frames received from clients, by type (invalid = not valid ces.v1).',
    labelNames: ['type'],
  },
  publishedTotal: {
    name: 'ces_gateway_published_total',
    type: 'counter',
    help: 'Records the gateway produced to Kafka, by source.',
    labelNames: ['source'],
  },
  httpRequestDurationSeconds: {
    name: 'ces_gateway_http_request_duration_seconds',
    type: 'histogram',
    help: 'HTTP request duration by route template, method and status code.',
    labelNames: ['route', 'method', 'status'],
    buckets: HttpDurationBuckets,
  },
  redisCommandDurationSeconds: {
    name: 'ces_gateway_redis_command_duration_seconds',
    type: 'histogram',
    help: 'Redis command (or script) duration by command name.',
    labelNames: ['command'],
    buckets: RedisDurationBuckets,
  },
  ready: {
    name: 'ces_gateway_ready',
    type: 'gauge',
    help: '1 when the gateway is ready (Kafka group joined, Redis reachable, not draining), else 0.',
    labelNames: [],
  },
} as const satisfies Record<string, MetricSpec>;

// ---- the operator's metrics --------------------------------------------------------------------

export const OperatorMetrics = {
  reconcileTotal: {
    name: 'ces_operator_reconcile_total',
    type: 'counter',
    help: 'Reconcile passes by result.',
    labelNames: ['result'],
  },
  reconcileDurationSeconds: {
    name: 'ces_operator_reconcile_duration_seconds',
    type: 'histogram',
    help: 'Duration of one reconcile pass.',
    labelNames: [],
    buckets: ReconcileDurationBuckets,
  },
  reconcileErrorsTotal: {
    name: 'ces_operator_reconcile_errors_total',
    type: 'counter',
    help: 'Failed reconcile passes by the phase that failed.',
    labelNames: ['phase'],
  },
  queueDepth: { name: 'ces_operator_queue_depth', type: 'gauge', help: 'Keys waiting in the work queue.', labelNames: [] },
  queueRetriesTotal: {
    name: 'ces_operator_queue_retries_total',
    type: 'counter',
    help: 'Keys re-queued with backoff after a failed reconcile.',
    labelNames: [],
  },
  managedStreams: { name: 'ces_operator_managed_streams', type: 'gauge', help: 'CesStream objects being managed.', labelNames: [] },
  leader: { name: 'ces_operator_leader', type: 'gauge', help: '1 while this replica holds the leader Lease, else 0.', labelNames: [] },
  topicOperationsTotal: {
    name: 'ces_operator_topic_operations_total',
    type: 'counter',
    help: 'Kafka topic admin operations by kind.',
    labelNames: ['operation'],
  },
} as const satisfies Record<string, MetricSpec>;

/** Every metric name this module defines (without histogram `_bucket/_sum/_count` suffixes). */
export const AllMetricNames: readonly string[] = [
  ...Object.values(GatewayMetrics).map((m) => m.name),
  ...Object.values(OperatorMetrics).map((m) => m.name),
];
