/**
 * A CesStream as the API server stores it (CRD defaults applied), for unit tests and e2e specs.
 */
import type { CesStream, CesStreamSpec } from '@ces/contracts/crd/v1alpha1';

type DeepPartial<T> = {
  -readonly [K in keyof T]?: NonNullable<T[K]> extends readonly (infer U)[] ? U[] : NonNullable<T[K]> extends object ? DeepPartial<NonNullable<T[K]>> : T[K];
};

export function sampleSpec(brokers: readonly string[] = ['kafka:9092']): CesStreamSpec {
  return {
    kafka: {
      bootstrapServers: [...brokers],
      topicManagement: 'create',
      topics: [
        { name: 'orders', partitions: 6, format: 'json', routing: { source: 'headers', target: 'session' } },
        { name: 'notices', partitions: 3, config: { 'retention.ms': '3600000' }, format: 'json', routing: { source: 'field', field: 'user.id', target: 'customer' } },
      ],
      dlqTopic: { name: 'orders-dlq', partitions: 3 },
    },
    redis: { url: 'redis://redis:6379', mode: 'standalone' },
    gateway: {
      image: 'ghcr.io/ces/gateway:0.1.0',
      replicas: 2,
      session: { ttlSeconds: 3600, heartbeatIntervalMs: 25000, outboundBufferBytes: 1048576, maxSessions: 100000, drainGraceSeconds: 10 },
    },
    monitoring: { dashboards: true, alerts: true, thresholds: { consumerLagRecords: 100000, errorRatePercent: 1, deliveryP95Seconds: 0.1 } },
    deletionPolicy: 'Retain',
  };
}

export function sampleStream(patch: { name?: string; namespace?: string; spec?: DeepPartial<CesStreamSpec> } = {}): CesStream {
  const base = sampleSpec();
  const spec = merge(base, patch.spec ?? {}) as CesStreamSpec;
  return {
    apiVersion: 'ces.io/v1alpha1',
    kind: 'CesStream',
    metadata: { name: patch.name ?? 'shop', namespace: patch.namespace ?? 'team-a', uid: '00000000-0000-4000-8000-000000000001', generation: 1 },
    spec,
  };
}

/** Objects merge recursively; arrays and scalars replace; `undefined` deletes. */
function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isObject(base) || !isObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k]; // an explicit undefined removes the field
    else out[k] = merge(base[k], v);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
