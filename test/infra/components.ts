/**
 * The table of components `up` knows: how to start each one and how to tell that a recorded one is
 * still healthy enough to reuse.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Component, InfraState } from '../support/infra.ts';
import { kafkaHealthy, startKafka } from './kafka.ts';
import { ensureHelm } from './helm.ts';
import { kubeHealthy, startKube } from './kube.ts';
import { componentDir } from './paths.ts';
import { ensurePrometheus } from './prometheus.ts';
import type { Running } from './records.ts';
import { redisClusterHealthy, redisPing, startRedis, startRedisCluster } from './redis.ts';

export interface ComponentDef<S> {
  start(): Promise<Running<S>>;
  healthy(state: S): Promise<boolean>;
  /** Cleanup after its processes are stopped (optional). */
  afterStop?(state: S): Promise<void>;
  /** How long `down` waits after SIGTERM before SIGKILL. @default 10_000 */
  stopGraceMs?: number;
  /**
   * Its folder under `.ces/infra` (its path occurs in the command line of every server it runs) and
   * their executables: together they find unrecorded strays to stop. None for binary-only components.
   */
  strays?: { dir: string; executables: readonly string[] };
}

type Defs = { [C in Component]: ComponentDef<NonNullable<InfraState[C]>> };

export const components: Defs = {
  kafka: {
    start: () => startKafka(),
    healthy: (s) => kafkaHealthy(s.brokers),
    // Topic data of finished runs is worth nothing and can be large; the logs stay for diagnosis.
    afterStop: async () => rmSync(path.join(componentDir('kafka'), 'data'), { recursive: true, force: true }),
    strays: { dir: 'kafka', executables: ['java'] },
  },
  redis: { start: () => startRedis(), healthy: (s) => redisPing(s.port), strays: { dir: 'redis', executables: ['redis-server'] } },
  redisCluster: {
    start: () => startRedisCluster(),
    healthy: (s) => redisClusterHealthy(s.nodes.map((n) => n.port)),
    strays: { dir: 'redis-cluster', executables: ['redis-server'] },
  },
  prometheus: { start: () => ensurePrometheus(), healthy: async (s) => existsSync(s.bin) && existsSync(s.promtool) },
  kube: {
    start: async () => {
      const kube = await startKube({ dataDir: componentDir('kube') });
      return { state: kube.state, procs: kube.procs };
    },
    healthy: (s) => kubeHealthy(s),
    // kube-apiserver drains watches for ~15 s on SIGTERM; its data is wiped at the next start anyway.
    stopGraceMs: 2_000,
    strays: { dir: 'kube', executables: ['etcd', 'kube-apiserver'] },
  },
  helm: { start: async () => ({ state: await ensureHelm(), procs: [] }), healthy: async (s) => existsSync(s.bin) },
};
