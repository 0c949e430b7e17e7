/**
 * Delivery's part of the convict schema (kafka, history, delivery, producer, publish, dlq),
 * spread into the root schema in `schema.ts`. Every key: doc, format, default (units in the
 * name), `CES_*` env; secrets are sensitive. Per-topic settings are one JSON value validated here
 * (`kafka.topicSettings`), parsed once by `topicSettingsOf`.
 */
import type { ChannelKind } from '../core/channels.ts';

export interface TopicSettings {
  format: 'json' | 'avro' | 'protobuf';
  /** JSON Schema the decoded value must satisfy (any format). */
  schema?: object;
  routing: { source: 'headers' | 'key' | 'field'; target: ChannelKind; field?: string };
}

export const DEFAULT_TOPIC_SETTINGS: TopicSettings = { format: 'json', routing: { source: 'headers', target: 'session' } };

const KINDS = ['session', 'customer', 'room', 'broadcast'];

/** Parses and checks `kafka.topicSettings` (a JSON string from env, or an object from the config file). */
export function topicSettingsOf(raw: unknown): Record<string, TopicSettings> {
  const value: unknown = typeof raw === 'string' ? JSON.parse(raw || '{}') : raw;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be an object: topic → settings');
  const out: Record<string, TopicSettings> = {};
  for (const [topic, s] of Object.entries(value as Record<string, Partial<TopicSettings>>)) {
    const format = s.format ?? 'json';
    if (!['json', 'avro', 'protobuf'].includes(format)) throw new Error(`${topic}.format must be json, avro or protobuf`);
    const routing = { ...DEFAULT_TOPIC_SETTINGS.routing, ...s.routing };
    if (!['headers', 'key', 'field'].includes(routing.source)) throw new Error(`${topic}.routing.source must be headers, key or field`);
    if (!KINDS.includes(routing.target)) throw new Error(`${topic}.routing.target must be one of ${KINDS.join(', ')}`);
    if (routing.source === 'field' && !routing.field) throw new Error(`${topic}.routing.field is required when source is field`);
    if (s.schema !== undefined && (typeof s.schema !== 'object' || s.schema === null)) throw new Error(`${topic}.schema must be a JSON Schema object`);
    out[topic] = { format, routing, ...(s.schema ? { schema: s.schema } : {}) };
  }
  return out;
}

const nat = (doc: string, value: number, env: string) => ({ doc, format: 'nat', default: value, env }) as const;

export const deliverySchema = {
  kafka: {
    brokers: { doc: 'Kafka bootstrap servers (host:port, comma-separated). Empty disables consumption and producing (edge-only tests).', format: Array, default: [] as string[], env: 'CES_KAFKA_BROKERS' },
    topics: { doc: 'Topics consumed by the fleet (comma-separated).', format: Array, default: [] as string[], env: 'CES_KAFKA_TOPICS' },
    groupId: { doc: 'Consumer group shared by every gateway of the stream.', format: String, default: 'ces-gateway', env: 'CES_KAFKA_GROUP_ID' },
    clientId: { doc: 'Kafka client id (broker logs and quotas).', format: String, default: 'ces-gateway', env: 'CES_KAFKA_CLIENT_ID' },
    fromBeginning: { doc: 'A group with no committed offset starts at the earliest record (true) or the latest (false).', format: Boolean, default: true, env: 'CES_KAFKA_FROM_BEGINNING' },
    topicSettings: {
      doc: 'Per-topic JSON: {"<topic>": {"format": "json|avro|protobuf", "schema": {JSON Schema}, "routing": {"source": "headers|key|field", "target": "session|customer|room|broadcast", "field": "a.b"}}}. Unlisted topics: json, routed by ces-* headers.',
      format: (value: unknown) => void topicSettingsOf(value),
      default: '{}',
      env: 'CES_KAFKA_TOPIC_SETTINGS',
    },
    maxRecordBytes: nat('Records larger than this (key + value + headers) go to the DLQ as too_large.', 1048576, 'CES_KAFKA_MAX_RECORD_BYTES'),
    schemaRegistryUrl: { doc: 'Confluent-compatible schema registry for avro/protobuf topics.', format: String, default: '', env: 'CES_KAFKA_SCHEMA_REGISTRY_URL' },
    dlqTopic: { doc: 'Dead-letter topic for records that cannot be delivered.', format: String, default: 'ces-dlq', env: 'CES_KAFKA_DLQ_TOPIC' },
    inboundTopic: { doc: 'Topic client `publish` frames are produced to, keyed by session id.', format: String, default: 'ces-inbound', env: 'CES_KAFKA_INBOUND_TOPIC' },
    pushTopic: { doc: 'Topic POST /api/push produces to; empty means the first of kafka.topics.', format: String, default: '', env: 'CES_KAFKA_PUSH_TOPIC' },
    ssl: { doc: 'Connect to the brokers with TLS.', format: Boolean, default: false, env: 'CES_KAFKA_SSL' },
    sslCaFile: { doc: 'PEM CA bundle for broker TLS; empty uses the system CAs.', format: String, default: '', env: 'CES_KAFKA_SSL_CA_FILE' },
    saslMechanism: { doc: 'SASL mechanism; empty disables SASL.', format: ['', 'plain', 'scram-sha-256', 'scram-sha-512'], default: '', env: 'CES_KAFKA_SASL_MECHANISM' },
    saslUsername: { doc: 'SASL user name.', format: String, default: '', env: 'CES_KAFKA_SASL_USERNAME' },
    saslPassword: { doc: 'SASL password.', format: String, default: '', env: 'CES_KAFKA_SASL_PASSWORD', sensitive: true },
    connectionTimeoutMs: nat('Time to establish a broker connection.', 3000, 'CES_KAFKA_CONNECTION_TIMEOUT_MS'),
    sessionTimeoutMs: nat('Consumer group session timeout: a silent member is removed after this.', 30000, 'CES_KAFKA_SESSION_TIMEOUT_MS'),
    rebalanceTimeoutMs: nat('Time members have to rejoin during a rebalance.', 30000, 'CES_KAFKA_REBALANCE_TIMEOUT_MS'),
    heartbeatIntervalMs: nat('Consumer heartbeat interval (well under the session timeout).', 3000, 'CES_KAFKA_HEARTBEAT_INTERVAL_MS'),
    partitionsConcurrently: nat('Partitions one gateway processes at once (their batches overlap; records of one partition stay in order).', 4, 'CES_KAFKA_PARTITIONS_CONCURRENTLY'),
    maxWaitMs: nat('Longest a fetch waits for data: bounds delivery latency at low traffic.', 250, 'CES_KAFKA_MAX_WAIT_MS'),
    retryInitialMs: nat('First reconnect/retry backoff (exponential, jittered).', 300, 'CES_KAFKA_RETRY_INITIAL_MS'),
    retryMaxMs: nat('Largest reconnect/retry backoff.', 30000, 'CES_KAFKA_RETRY_MAX_MS'),
    retries: nat('Retries of one operation before the consumer restarts itself.', 10, 'CES_KAFKA_RETRIES'),
  },
  history: {
    maxEntries: nat('Entries kept per channel (count cap).', 100, 'CES_HISTORY_MAX_ENTRIES'),
    ttlSeconds: nat('Entries of a channel idle this long expire (a client that is behind then sees recovered=false).', 300, 'CES_HISTORY_TTL_SECONDS'),
    metaTtlSeconds: nat('A channel idle this long forgets its epoch and seq too (≥ ttlSeconds); clients of a lost epoch see recovered=false even when up to date.', 86400, 'CES_HISTORY_META_TTL_SECONDS'),
    dedupeWindow: nat('Most recent seqs per channel whose source position is remembered for idempotent appends (≥ maxEntries).', 10000, 'CES_HISTORY_DEDUPE_WINDOW'),
    overflowPolicy: {
      doc: 'A session channel full of unacked entries: dlq = the new record goes to the DLQ (history_overflow); drop = the oldest unacked entry is evicted (the client sees recovered=false).',
      format: ['dlq', 'drop'],
      default: 'dlq',
      env: 'CES_HISTORY_OVERFLOW_POLICY',
    },
    breakerFailures: nat('Consecutive Redis failures that open the history circuit breaker (consumption pauses).', 3, 'CES_HISTORY_BREAKER_FAILURES'),
    breakerHalfOpenMs: nat('Time the history breaker stays open before a probe (then consumption resumes on success).', 2000, 'CES_HISTORY_BREAKER_HALF_OPEN_MS'),
  },
  delivery: {
    unknownSessionPolicy: {
      doc: 'Record for a session that does not exist or has expired/was revoked: dlq (unknown_session), drop, or store (keep it in history in case the session registers later).',
      format: ['dlq', 'drop', 'store'],
      default: 'dlq',
      env: 'CES_DELIVERY_UNKNOWN_SESSION_POLICY',
    },
    sessionCacheMs: nat('How long a session seen live is trusted without another read when records for it arrive (0 = read it for every record). A record for a session revoked within this window is still stored, never delivered.', 1000, 'CES_DELIVERY_SESSION_CACHE_MS'),
    ackFlushMs: nat('Acks are cumulative: per session and channel the highest pending one is written at most this often (and at once when the connection closes). A crash loses at most this much acking; those entries are delivered again. 0 = write every ack.', 500, 'CES_DELIVERY_ACK_FLUSH_MS'),
    replayBatch: nat('Entries read from history per round trip while replaying.', 200, 'CES_DELIVERY_REPLAY_BATCH'),
    appendConcurrency: nat('Records of one Kafka batch appended to history concurrently (per-channel order is kept; 1 = strictly sequential).', 64, 'CES_DELIVERY_APPEND_CONCURRENCY'),
  },
  producer: {
    breakerFailures: nat('Consecutive produce failures that open the producer circuit breaker.', 5, 'CES_PRODUCER_BREAKER_FAILURES'),
    breakerHalfOpenMs: nat('Time the producer breaker stays open before a probe.', 5000, 'CES_PRODUCER_BREAKER_HALF_OPEN_MS'),
    retryAttempts: nat('Retries of one produce call (exponential backoff) before it fails.', 3, 'CES_PRODUCER_RETRY_ATTEMPTS'),
    timeoutMs: nat('Produce request timeout.', 10000, 'CES_PRODUCER_TIMEOUT_MS'),
  },
  publish: {
    dedupeTtlSeconds: nat('How long a client publish id is remembered per session (a retry within it is not produced again).', 3600, 'CES_PUBLISH_DEDUPE_TTL_SECONDS'),
  },
  dlq: {
    replayMaxRecords: nat('Most DLQ records one POST /admin/dlq/replay call may re-publish.', 1000, 'CES_DLQ_REPLAY_MAX_RECORDS'),
  },
} as const;
