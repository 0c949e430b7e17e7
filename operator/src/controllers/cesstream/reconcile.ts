/**
 * One reconcile pass of one CesStream, always the same shape (aesthetics rule 8):
 *   fetch → (deleting? finalize) → ensure finalizer → render → apply → prune → topics
 *   → status, written ONCE in `finally` (and only when it changed), plus Events.
 * Level-based: the pass looks at the whole desired and observed state every time, whatever woke
 * it. Errors propagate to the work queue (backoff) after status recorded them; an invalid spec is
 * a TerminalError (no retry until the spec changes).
 */
import type { Logger } from 'pino';
import { ApiVersion, Kind } from '@ces/contracts/crd/v1alpha1';
import type { CesStream, CesStreamStatus } from '@ces/contracts/crd/v1alpha1';
import type { ReconcilePhase } from '@ces/contracts/metrics';
import type { Cluster, KubeObject } from '../../runtime/cluster.ts';
import { isNotFound, refOf } from '../../runtime/cluster.ts';
import { isTerminalError } from '../../runtime/result.ts';
import type { ObjectKey, ReconcileResult } from '../../runtime/result.ts';
import type { TopicAdminFactory } from '../../ports/topic-admin.ts';
import type { OperatorMetricSet } from '../../metrics.ts';
import type { OperatorConfig } from '../../config.ts';
import { applyAll, prune, pruneScopes } from './apply.ts';
import { transitionEvents } from './events.ts';
import { finalize, setFinalizer } from './finalize.ts';
import { consumerGroup, endpoint, fleetName, monitoringNamespace } from './names.ts';
import { render } from './render.ts';
import type { RenderOptions } from './render.ts';
import { computeStatus } from './status.ts';
import type { Observed, ObservedDeployment, ObservedHpa } from './status.ts';
import { desiredTopics } from './topic-plan.ts';
import { reconcileTopics, strimziTopicsOutcome } from './topics.ts';
import type { TopicsOutcome } from './topics.ts';

export interface CesStreamDeps {
  readonly cluster: Cluster;
  readonly adminFactory: TopicAdminFactory;
  readonly metrics: OperatorMetricSet;
  readonly log: Logger;
  readonly config: Pick<OperatorConfig, 'fieldManager' | 'monitoringNamespace' | 'grafanaDatasourceUid' | 'progressRequeueMs' | 'podName'>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function reconcileCesStream(deps: CesStreamDeps, key: ObjectKey): Promise<ReconcileResult> {
  let cr = (await deps.cluster.get({ apiVersion: ApiVersion, kind: Kind, ...key })) as CesStream | undefined;
  if (!cr) return {}; // deleted: children go through garbage collection, the finalizer did the rest
  const observed: Mutable<Observed> = initialObserved(cr);
  let phase: ReconcilePhase = 'render';
  let released = false;
  try {
    const options = await renderOptions(deps, cr);
    if (cr.metadata.deletionTimestamp) {
      observed.deleting = true;
      phase = 'finalize';
      const { adminFactory, cluster } = deps;
      await finalize(cr, { cluster, adminFactory, monitoringNamespace: deps.config.monitoringNamespace, ...kafkaTopicVersion(options) });
      released = true;
      return {};
    }
    cr = await setFinalizer(deps.cluster, cr, true);
    const desired = render(cr, options);
    phase = 'apply';
    const applied = await applyAll(deps.cluster, deps.config.fieldManager, desired);
    observeFleet(observed, cr, applied);
    phase = 'prune';
    await prune(deps.cluster, cr, pruneScopes(cr, monitoringNamespace(cr, options.monitoringNamespace), options), desired);
    phase = 'topics';
    observed.topics = await topics(deps, cr, applied, options);
    return converged(observed) ? {} : { requeueAfterMs: deps.config.progressRequeueMs };
  } catch (err) {
    observed.error = { phase, message: (err as Error).message, terminal: isTerminalError(err) };
    deps.metrics.reconcileErrorsTotal.inc({ phase });
    throw err;
  } finally {
    if (!released) await writeStatus(deps, cr, observed, observed.error !== undefined);
  }
}

function initialObserved(cr: CesStream): Mutable<Observed> {
  const monitoring = cr.spec.monitoring;
  return {
    generation: cr.metadata.generation ?? 0,
    autoscaling: cr.spec.gateway.autoscaling !== undefined,
    topicMode: cr.spec.kafka.topicManagement ?? 'create',
    topicCount: desiredTopics(cr).length,
    monitoring: { enabled: (monitoring?.dashboards ?? true) || (monitoring?.alerts ?? true), provisioned: [] },
    endpoint: endpoint(cr),
    consumerGroup: consumerGroup(cr),
  };
}

async function renderOptions(deps: CesStreamDeps, cr: CesStream): Promise<RenderOptions> {
  const c = deps.cluster;
  const strimzi = cr.spec.kafka.topicManagement === 'strimzi' || cr.spec.deletionPolicy === 'Delete';
  const [prometheusRule, grafanaAlertRuleGroup, v1, v1beta2] = await Promise.all([
    c.served('monitoring.coreos.com/v1', 'PrometheusRule'),
    c.served('grafana.integreatly.org/v1beta1', 'GrafanaAlertRuleGroup'),
    strimzi ? c.served('kafka.strimzi.io/v1', 'KafkaTopic') : false,
    strimzi ? c.served('kafka.strimzi.io/v1beta2', 'KafkaTopic') : false,
  ]);
  const kafkaTopicApiVersion = v1 ? 'kafka.strimzi.io/v1' : v1beta2 ? 'kafka.strimzi.io/v1beta2' : undefined;
  return {
    monitoringNamespace: deps.config.monitoringNamespace,
    datasourceUid: deps.config.grafanaDatasourceUid,
    prometheusRule,
    grafanaAlertRuleGroup,
    ...(kafkaTopicApiVersion ? { kafkaTopicApiVersion } : {}),
  };
}

function kafkaTopicVersion(options: RenderOptions): { kafkaTopicApiVersion?: string } {
  return options.kafkaTopicApiVersion ? { kafkaTopicApiVersion: options.kafkaTopicApiVersion } : {};
}

function observeFleet(observed: Mutable<Observed>, cr: CesStream, applied: readonly KubeObject[]): void {
  const name = fleetName(cr);
  const deployment = applied.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (deployment) observed.deployment = deploymentState(deployment);
  const hpa = applied.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name);
  if (hpa) observed.hpa = hpaState(hpa);
  const monitoringKinds = applied.filter((o) => o.metadata.labels?.grafana_dashboard || o.metadata.labels?.grafana_alert || ['PrometheusRule', 'GrafanaAlertRuleGroup'].includes(o.kind));
  observed.monitoring = { ...observed.monitoring, provisioned: monitoringKinds.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`) };
}

function deploymentState(d: KubeObject): ObservedDeployment {
  const spec = (d.spec ?? {}) as { replicas?: number };
  const status = (d.status ?? {}) as { readyReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
  return {
    desired: spec.replicas ?? 1,
    ready: status.readyReplicas ?? 0,
    updated: status.updatedReplicas ?? 0,
    current: (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0),
  };
}

function hpaState(h: KubeObject): ObservedHpa {
  const spec = (h.spec ?? {}) as { minReplicas?: number; maxReplicas?: number };
  const status = (h.status ?? {}) as { conditions?: ObservedHpa['conditions'] };
  return { minReplicas: spec.minReplicas ?? 1, maxReplicas: spec.maxReplicas ?? 1, conditions: status.conditions ?? [] };
}

async function topics(deps: CesStreamDeps, cr: CesStream, applied: readonly KubeObject[], options: RenderOptions): Promise<TopicsOutcome> {
  if (cr.spec.kafka.topicManagement === 'strimzi') return strimziTopicsOutcome(applied, options.kafkaTopicApiVersion !== undefined);
  return reconcileTopics(cr, {
    cluster: deps.cluster,
    adminFactory: deps.adminFactory,
    onOperation: (operation) => deps.metrics.topicOperationsTotal.inc({ operation }),
  });
}

function converged(o: Observed): boolean {
  const gatewayReady = o.deployment !== undefined && o.deployment.current && o.deployment.ready >= o.deployment.desired;
  return gatewayReady && o.topics?.failure === undefined && (o.topics?.topics.every((t) => t.state === 'Ready') ?? false);
}

/** The one status write of a pass; skipped when nothing changed (a write would wake the watch again). */
async function writeStatus(deps: CesStreamDeps, cr: CesStream, observed: Observed, failing: boolean): Promise<void> {
  const next = computeStatus(cr.status, observed, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  if (canonical(next) === canonical(cr.status ?? {})) return;
  try {
    await deps.cluster.patchStatus(refOf(cr as unknown as KubeObject), next as unknown as Record<string, unknown>);
  } catch (err) {
    if (isNotFound(err)) return;
    deps.log.warn({ err, stream: `${cr.metadata.namespace}/${cr.metadata.name}` }, 'Failed to write CesStream status');
    // A status failure must not mask the pass's own error; on a clean pass it is the error.
    if (!failing) throw err;
    return;
  }
  await recordEvents(deps, cr, cr.status, next, observed);
}

async function recordEvents(deps: CesStreamDeps, cr: CesStream, before: CesStreamStatus | undefined, after: CesStreamStatus, observed: Observed): Promise<void> {
  for (const event of transitionEvents(before, after, observed.topics?.performed ?? [])) {
    await deps.cluster
      .recordEvent({ ...event, regarding: cr as unknown as KubeObject }, deps.config.fieldManager, deps.config.podName)
      .catch((err: unknown) => deps.log.debug({ err }, 'Failed to record Event'));
  }
}

/** JSON with sorted keys: the stored status and ours compare equal regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
