/**
 * The table of components `up` knows: how to start each one and how to tell that a recorded one is
 * still healthy enough to reuse.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Component, InfraState } from '../support/infra.ts';
import { kafkaHealthy, startKafka } from './kafka.ts';
import { ensurePrometheus } from './prometheus.ts';
import type { Running } from './records.ts';
import { redisClusterHealthy, redisPing, startRedis, startRedisCluster } from './redis.ts';

export interface ComponentDef<S> {
  start(): Promise<Running<S>>;
  healthy(state: S): Promise<boolean>;
  /** Cleanup after its processes are stopped (optional). */
  afterStop?(state: S): Promise<void>;
}

type Defs = { [C in Component]: ComponentDef<NonNullable<InfraState[C]>> };

export const components: Defs = {
  kafka: { start: () => startKafka(), healthy: (s) => kafkaHealthy(s.brokers) },
  redis: { start: () => startRedis(), healthy: (s) => redisPing(s.port) },
  redisCluster: { start: () => startRedisCluster(), healthy: (s) => redisClusterHealthy(s.nodes.map((n) => n.port)) },
  prometheus: { start: () => ensurePrometheus(), healthy: async (s) => existsSync(s.bin) && existsSync(s.promtool) },
  kube: {
    start: async () => {
      throw new Error('kube-apiserver/etcd not wired yet (test/infra/kube.ts)');
    },
    healthy: async () => false,
  },
  helm: {
    start: async () => {
      const mod = await importSibling<{ ensureHelm(): Promise<{ bin: string }> }>('helm.ts');
      return { state: await mod.ensureHelm(), procs: [] };
    },
    healthy: async (s) => existsSync(s.bin),
  },
};

/** Imports a module another helper provides, with a clear reason while it does not exist yet. */
async function importSibling<T>(file: string): Promise<T> {
  const url = new URL(`./${file}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) throw new Error(`test/infra/${file} does not exist yet`);
  return (await import(url.href)) as T;
}
