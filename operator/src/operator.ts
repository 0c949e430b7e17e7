/**
 * The operator as an object: `startOperator(config, deps)` → running; `stop()` → drained.
 * main.ts runs one per process; tests run one or two in-process against a real API server.
 *
 * Start order: admin HTTP (healthy, not ready) → leader election → on leading: informers
 * (CesStream + owned kinds, all enqueue the owning CesStream key) → workers. Losing the Lease
 * stops the workers and informers at once (another replica now owns the writes).
 * Stop order (SIGTERM): stop campaigning → drain in-flight reconciles (bounded) → release the
 * Lease → close HTTP.
 */
import type { Logger } from 'pino';
import { ApiVersion, Kind } from '@ces/contracts/crd/v1alpha1';
import type { OperatorConfig } from './config.ts';
import type { Cluster, KubeObject } from './runtime/cluster.ts';
import { Controller } from './runtime/controller.ts';
import { InformerSet } from './runtime/informers.ts';
import { LeaderElector } from './runtime/leader.ts';
import { startAdminHttp } from './runtime/admin-http.ts';
import { keyOf } from './runtime/result.ts';
import { createMetrics } from './metrics.ts';
import type { OperatorMetricSet } from './metrics.ts';
import type { TopicAdminFactory } from './ports/topic-admin.ts';
import { reconcileCesStream } from './controllers/cesstream/reconcile.ts';
import { LabelManagedBy, LabelStreamName, LabelStreamNamespace, ManagedBy } from './controllers/cesstream/names.ts';

export interface OperatorDeps {
  readonly cluster: Cluster;
  readonly adminFactory: TopicAdminFactory;
  readonly log: Logger;
  /** Register process-level default metrics (main.ts only). @default false */
  readonly defaultMetrics?: boolean;
}

export interface RunningOperator {
  readonly port: number;
  readonly metrics: OperatorMetricSet;
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** Owned kinds watched for drift; their events wake the owning CesStream. */
const OWNED_KINDS = [
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
] as const;

export async function startOperator(config: OperatorConfig, deps: OperatorDeps): Promise<RunningOperator> {
  const log = deps.log;
  const metrics = createMetrics({ defaultMetrics: deps.defaultMetrics ?? false });
  let session: LeaderSession | undefined;
  let stopped = false;
  const admin = await startAdminHttp(config.host, config.port, metrics.registry, {
    healthy: () => !stopped,
    // A standby is ready (it serves probes and waits); a leader once its caches are filled.
    ready: () => !stopped && (session === undefined || session.informers.synced),
  });
  // Never blocks the elector: filling caches can take longer than a Lease renewal period, and a
  // leader that stops renewing while it starts up would let a second leader in.
  const lead = () => {
    metrics.leader.set(1);
    log.info({ identity: config.podName }, 'Started leading');
    session = startSession(config, deps, metrics);
  };
  const standDown = async () => {
    metrics.leader.set(0);
    const s = session;
    session = undefined;
    await s?.stop(config.shutdownTimeoutMs);
    if (!stopped) log.warn({ identity: config.podName }, 'Stopped leading');
  };
  const elector = config.leaderElection.enabled
    ? new LeaderElector(
        deps.cluster,
        { namespace: config.podNamespace, identity: config.podName, ...config.leaderElection },
        { onStartedLeading: lead, onStoppedLeading: standDown },
      )
    : undefined;
  if (elector) elector.start();
  else lead();
  log.info({ port: admin.port, watchNamespaces: config.watchNamespaces }, 'Operator started');
  return {
    port: admin.port,
    metrics,
    isLeader: () => session !== undefined,
    stop: async () => {
      stopped = true;
      if (elector) await elector.stop();
      else await standDown();
      await admin.close();
    },
  };
}

interface LeaderSession {
  readonly informers: InformerSet;
  stop(timeoutMs: number): Promise<void>;
}

function startSession(config: OperatorConfig, deps: OperatorDeps, metrics: OperatorMetricSet): LeaderSession {
  const log = deps.log.child({ component: 'cesstream-controller' });
  const controller = new Controller({
    ...config.queue,
    resyncMs: config.resyncMs,
    reconcile: (key) => reconcileCesStream({ cluster: deps.cluster, adminFactory: deps.adminFactory, metrics, log, config }, key),
    hooks: {
      onResult: (key, outcome, durationMs, err) => {
        metrics.reconcileTotal.inc({ result: outcome });
        metrics.reconcileDurationSeconds.observe(durationMs / 1000);
        metrics.queueDepth.set(controller.queue.length);
        if (err) log.warn({ err, key }, 'Reconcile failed');
      },
      onRetry: () => metrics.queueRetriesTotal.inc(),
    },
  });
  const informers = new InformerSet(config.informer, log);
  const namespaces = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
  const streams = new Set<string>();
  for (const namespace of namespaces) {
    const scope = namespace === undefined ? {} : { namespace };
    const primary = deps.cluster.informer(ApiVersion, Kind, scope);
    primary.onChange((obj) => {
      const key = keyOf({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
      streams.add(key);
      metrics.managedStreams.set(streams.size);
      controller.enqueue(key);
    });
    informers.add(`${Kind}/${namespace ?? '*'}`, primary);
    for (const [apiVersion, kind] of OWNED_KINDS) {
      const child = deps.cluster.informer(apiVersion, kind, { ...scope, labelSelector: `${LabelManagedBy}=${ManagedBy}` });
      child.onChange((obj) => enqueueOwner(controller, obj));
      informers.add(`${kind}/${namespace ?? '*'}`, child);
    }
  }
  // Workers start once the caches are filled; stop() ends a start that is still retrying.
  let stopping = false;
  const started = informers.start().then(() => {
    if (!stopping) controller.start();
  });
  return {
    informers,
    stop: async (timeoutMs) => {
      stopping = true;
      await informers.stop();
      await started;
      await controller.stop(timeoutMs);
    },
  };
}

/** Maps a child to its CesStream by the owner labels (works across namespaces, unlike ownerReferences). */
function enqueueOwner(controller: Controller, obj: KubeObject): void {
  const labels = obj.metadata.labels ?? {};
  const name = labels[LabelStreamName];
  const namespace = labels[LabelStreamNamespace];
  if (name && namespace) controller.enqueue(keyOf({ namespace, name }));
}
