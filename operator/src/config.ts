/**
 * The operator's configuration: one convict schema, validated once at start, frozen, and passed
 * down in slices. Env names match the chart (`cdk8s/src/operator-install.ts` OPERATOR_ENV).
 * Durations carry their unit in the key.
 */
import os from 'node:os';
import convict from 'convict';

const schema = {
  watchNamespaces: {
    doc: 'Namespaces whose CesStreams are reconciled, comma-separated; empty watches all namespaces.',
    format: Array,
    default: [] as string[],
    env: 'CES_WATCH_NAMESPACES',
  },
  logLevel: {
    doc: 'pino log level.',
    format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    env: 'CES_LOG_LEVEL',
  },
  port: { doc: 'Port of /healthz, /readyz and /metrics; 0 picks a free port.', format: 'port', default: 8080, env: 'CES_OPERATOR_PORT' },
  host: { doc: 'Address the admin HTTP server binds.', format: String, default: '0.0.0.0', env: 'CES_OPERATOR_HOST' },
  podName: { doc: 'This replica\'s identity in the leader Lease.', format: String, default: os.hostname(), env: 'CES_POD_NAME' },
  podNamespace: { doc: 'Namespace of the leader Lease.', format: String, default: 'default', env: 'CES_POD_NAMESPACE' },
  kubeconfig: {
    doc: 'Kubeconfig file; empty uses in-cluster config or $KUBECONFIG / ~/.kube/config.',
    format: String,
    default: '',
    env: 'CES_KUBECONFIG',
  },
  fieldManager: { doc: 'Server-side apply field manager.', format: String, default: 'ces-operator', env: 'CES_OPERATOR_FIELD_MANAGER' },
  resyncMs: {
    doc: 'Periodic requeue of every CesStream: Kafka topics cannot be watched, so drift there is found by polling.',
    format: 'nat',
    default: 60_000,
    env: 'CES_OPERATOR_RESYNC_MS',
  },
  progressRequeueMs: {
    doc: 'Requeue delay while a CesStream is converging (Deployment not ready, KafkaTopics pending, Kafka down).',
    format: 'nat',
    default: 10_000,
    env: 'CES_OPERATOR_PROGRESS_REQUEUE_MS',
  },
  monitoringNamespace: {
    doc: 'Namespace for Grafana dashboard/alert ConfigMaps when a CesStream does not name one.',
    format: String,
    default: 'monitoring',
    env: 'CES_MONITORING_NAMESPACE',
  },
  grafanaDatasourceUid: {
    doc: 'UID of the Prometheus datasource Grafana alert rules and dashboards query.',
    format: String,
    default: 'prometheus',
    env: 'CES_GRAFANA_DATASOURCE_UID',
  },
  queue: {
    concurrency: { doc: 'CesStreams reconciled in parallel (one key is never reconciled twice at once).', format: 'nat', default: 2, env: 'CES_QUEUE_CONCURRENCY' },
    baseDelayMs: { doc: 'First retry delay of a failing key; doubles per failure.', format: 'nat', default: 5, env: 'CES_QUEUE_BASE_DELAY_MS' },
    maxDelayMs: { doc: 'Cap of the per-key retry delay.', format: 'nat', default: 300_000, env: 'CES_QUEUE_MAX_DELAY_MS' },
    ratePerSecond: { doc: 'Global retry rate limit (token bucket refill per second).', format: 'nat', default: 10, env: 'CES_QUEUE_RATE_PER_SECOND' },
    burst: { doc: 'Global retry rate limit bucket size.', format: 'nat', default: 100, env: 'CES_QUEUE_BURST' },
  },
  informer: {
    restartBaseMs: { doc: 'First delay before restarting a failed informer; doubles per failure.', format: 'nat', default: 500, env: 'CES_INFORMER_RESTART_BASE_MS' },
    restartMaxMs: { doc: 'Cap of the informer restart delay.', format: 'nat', default: 30_000, env: 'CES_INFORMER_RESTART_MAX_MS' },
  },
  leaderElection: {
    enabled: { doc: 'Only the Lease holder reconciles; others stand by.', format: Boolean, default: true, env: 'CES_LEADER_ELECTION' },
    leaseName: { doc: 'Name of the coordination.k8s.io Lease.', format: String, default: 'ces-operator-leader', env: 'CES_LEADER_LEASE_NAME' },
    leaseDurationMs: { doc: 'How long a Lease is valid without renewal.', format: 'nat', default: 15_000, env: 'CES_LEADER_LEASE_DURATION_MS' },
    renewDeadlineMs: { doc: 'A leader that cannot renew within this steps down.', format: 'nat', default: 10_000, env: 'CES_LEADER_RENEW_DEADLINE_MS' },
    retryPeriodMs: { doc: 'Interval between acquire/renew attempts.', format: 'nat', default: 2_000, env: 'CES_LEADER_RETRY_PERIOD_MS' },
  },
  kafka: {
    connectionTimeoutMs: { doc: 'Kafka admin connection timeout.', format: 'nat', default: 3_000, env: 'CES_KAFKA_CONNECTION_TIMEOUT_MS' },
    requestTimeoutMs: { doc: 'Kafka admin request timeout.', format: 'nat', default: 10_000, env: 'CES_KAFKA_REQUEST_TIMEOUT_MS' },
    retries: { doc: 'Kafka admin retries per call before the pass reports KafkaUnavailable.', format: 'nat', default: 2, env: 'CES_KAFKA_RETRIES' },
  },
  shutdownTimeoutMs: { doc: 'Time given to in-flight reconciles on SIGTERM.', format: 'nat', default: 20_000, env: 'CES_SHUTDOWN_TIMEOUT_MS' },
};

type Schema = typeof schema;
type Leaf<T> = T extends { default: infer D } ? (D extends readonly string[] ? readonly string[] : D) : { readonly [K in keyof T]: Leaf<T[K]> };
/** The validated, frozen configuration. */
export type OperatorConfig = { readonly [K in keyof Schema]: Leaf<Schema[K]> };

export interface LoadOptions {
  /** Environment to read; defaults to `process.env`. Tests pass `{}`. */
  readonly env?: Record<string, string | undefined>;
  /** Values applied over env and defaults (tests). */
  readonly overrides?: Record<string, unknown>;
}

/** Validates once and deep-freezes. Throws with the failing key and what is wrong. */
export function loadConfig(options: LoadOptions = {}): OperatorConfig {
  const env = options.env ?? process.env;
  const config = convict(schema, { env: env as NodeJS.ProcessEnv, args: [] });
  if (options.overrides) config.load(options.overrides);
  config.validate({ allowed: 'strict' });
  const value = config.getProperties() as unknown as OperatorConfig;
  return deepFreeze({ ...value, watchNamespaces: value.watchNamespaces.map((ns) => ns.trim()).filter((ns) => ns.length > 0) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
