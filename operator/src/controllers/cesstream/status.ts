/**
 * computeStatus(previous, observed, now) → the CesStream status. Pure and table-tested.
 *
 * Every pass writes all five conditions (api-conventions: set them on the first visit, even as
 * Unknown). `lastTransitionTime` changes only when a condition's status changes.
 * `status.observedGeneration` advances only when the pass completed without error, so
 * `observedGeneration == metadata.generation && Ready=True` means "this spec is live".
 */
import { ConditionTypes, Reasons } from '@ces/contracts/crd/v1alpha1';
import type { CesStreamStatus, Condition, ConditionStatus, ConditionType, TopicStatus } from '@ces/contracts/crd/v1alpha1';
import type { TopicsOutcome } from './topics.ts';

export interface ObservedDeployment {
  /** spec.replicas as stored (set by us, or by the HPA under autoscaling). */
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
  /** status.observedGeneration >= metadata.generation */
  readonly current: boolean;
}

export interface ObservedHpa {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** HPA status conditions, when the HPA controller has written any. */
  readonly conditions: readonly { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }[];
}

export interface Observed {
  readonly generation: number;
  readonly deleting?: boolean;
  /** The pass failed: where, why, and whether retrying can help. */
  readonly error?: { readonly phase: string; readonly message: string; readonly terminal: boolean };
  /** The deployment as returned by apply; undefined when apply did not get that far or it is missing. */
  readonly deployment?: ObservedDeployment;
  readonly autoscaling: boolean;
  readonly hpa?: ObservedHpa;
  /** Undefined when the topic step did not run this pass. */
  readonly topics?: TopicsOutcome;
  readonly topicMode: 'create' | 'verify' | 'strimzi';
  readonly topicCount: number;
  readonly monitoring: { readonly enabled: boolean; readonly provisioned: readonly string[] };
  readonly endpoint: string;
  readonly consumerGroup: string;
}

type Detail = Pick<Condition, 'status' | 'reason' | 'message'>;

export function computeStatus(previous: CesStreamStatus | undefined, observed: Observed, now: string): CesStreamStatus {
  const applyFailed = observed.error !== undefined && ['render', 'apply'].includes(observed.error.phase);
  const details: Record<Exclude<ConditionType, 'Ready'>, Detail | undefined> = {
    TopicsReady: topicsCondition(observed),
    GatewayReady: applyFailed ? failed(Reasons.GatewayReady.ApplyFailed, observed) : gatewayCondition(observed),
    AutoscalingReady: applyFailed ? failed(Reasons.AutoscalingReady.ApplyFailed, observed) : autoscalingCondition(observed),
    AlertsReady: applyFailed ? failed(Reasons.AlertsReady.Failed, observed) : alertsCondition(observed),
  };
  const ready = readyCondition(observed, details);
  const prevConditions = previous?.conditions ?? [];
  const conditions = ConditionTypes.map((type): Condition => {
    const prev = prevConditions.find((c) => c.type === type);
    const detail = type === 'Ready' ? ready : (details[type] ?? keep(prev));
    const lastTransitionTime = prev && prev.status === detail.status ? prev.lastTransitionTime : now;
    return { type, ...detail, observedGeneration: observed.generation, lastTransitionTime };
  });
  const topics = observed.topics?.topics.length ? observed.topics.topics : (previous?.topics ?? []);
  const readyTopics = topics.filter((t: TopicStatus) => t.state === 'Ready').length;
  const desired = observed.deployment?.desired ?? previous?.replicas ?? 0;
  const readyReplicas = observed.deployment?.ready ?? previous?.readyReplicas ?? 0;
  const observedGeneration = observed.error ? previous?.observedGeneration : observed.generation;
  return {
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    conditions,
    replicas: desired,
    readyReplicas,
    endpoint: observed.endpoint,
    consumerGroup: observed.consumerGroup,
    topics,
    summary: { replicas: `${readyReplicas}/${desired}`, topics: `${readyTopics}/${observed.topicCount}` },
  };
}

function keep(prev: Condition | undefined): Detail {
  return prev ? { status: prev.status, reason: prev.reason, message: prev.message } : unknown('Not reconciled yet');
}

function unknown(message: string): Detail {
  return { status: 'Unknown', reason: Reasons.Any.Pending, message };
}

function failed(reason: string, observed: Observed): Detail {
  return { status: 'False', reason, message: observed.error?.message ?? '' };
}

function topicsCondition(o: Observed): Detail | undefined {
  const t = o.topics;
  if (!t) return undefined;
  if (t.failure) return { status: 'False', reason: t.failure.reason, message: t.failure.message };
  const byState = (state: TopicStatus['state']) => t.topics.filter((x) => x.state === state);
  const describe = (list: TopicStatus[]) => list.map((x) => `${x.name}: ${x.message ?? x.state}`).join('; ');
  const shrink = byState('ShrinkRefused');
  if (shrink.length > 0) return { status: 'False', reason: Reasons.TopicsReady.ShrinkRefused, message: describe(shrink) };
  const missing = byState('Missing');
  if (missing.length > 0) return { status: 'False', reason: Reasons.TopicsReady.Missing, message: describe(missing) };
  const mismatch = byState('Mismatch');
  if (mismatch.length > 0) return { status: 'False', reason: Reasons.TopicsReady.Mismatch, message: describe(mismatch) };
  const reason = { create: Reasons.TopicsReady.Reconciled, verify: Reasons.TopicsReady.Verified, strimzi: Reasons.TopicsReady.Delegated }[o.topicMode];
  return { status: 'True', reason, message: `${t.topics.length} topic(s) ready: ${t.topics.map((x) => `${x.name}(${x.partitions ?? '?'})`).join(', ')}` };
}

function gatewayCondition(o: Observed): Detail | undefined {
  if (o.deleting) return undefined;
  const d = o.deployment;
  if (!d) return { status: 'False', reason: Reasons.GatewayReady.Missing, message: 'Gateway Deployment not found' };
  const counts = `${d.ready}/${d.desired} gateway pods ready`;
  const done = d.current && d.updated >= d.desired && d.ready >= d.desired;
  return done
    ? { status: 'True', reason: Reasons.GatewayReady.Available, message: counts }
    : { status: 'False', reason: Reasons.GatewayReady.Progressing, message: `${counts}${d.updated < d.desired ? `, ${d.updated} updated` : ''}` };
}

function autoscalingCondition(o: Observed): Detail | undefined {
  if (o.deleting) return undefined;
  if (!o.autoscaling) return { status: 'True', reason: Reasons.AutoscalingReady.Disabled, message: 'Fixed replica count; no HorizontalPodAutoscaler' };
  const h = o.hpa;
  if (!h) return { status: 'False', reason: Reasons.AutoscalingReady.Unable, message: 'HorizontalPodAutoscaler not found' };
  const broken = h.conditions.find((c) => (c.type === 'AbleToScale' || c.type === 'ScalingActive') && c.status === 'False');
  if (broken) return { status: 'False', reason: Reasons.AutoscalingReady.Unable, message: `${broken.type}: ${broken.reason ?? ''} ${broken.message ?? ''}`.trim() };
  return { status: 'True', reason: Reasons.AutoscalingReady.Applied, message: `HorizontalPodAutoscaler scales ${h.minReplicas}..${h.maxReplicas} pods` };
}

function alertsCondition(o: Observed): Detail | undefined {
  if (o.deleting) return undefined;
  if (!o.monitoring.enabled) return { status: 'True', reason: Reasons.AlertsReady.Disabled, message: 'spec.monitoring disables dashboards and alerts' };
  return { status: 'True', reason: Reasons.AlertsReady.Provisioned, message: `Provisioned ${o.monitoring.provisioned.join(', ')}` };
}

function readyCondition(o: Observed, details: Record<string, Detail | undefined>): Detail {
  if (o.deleting) {
    const message = o.error ? `Cleanup failed, retrying: ${o.error.message}` : 'CesStream is being deleted';
    return { status: 'False', reason: Reasons.Ready.Deleting, message };
  }
  if (o.error?.terminal) return { status: 'False', reason: Reasons.Ready.InvalidSpec, message: o.error.message };
  if (o.error) return { status: 'False', reason: Reasons.Ready.Failed, message: `${o.error.phase}: ${o.error.message}` };
  for (const [type, detail] of Object.entries(details)) {
    if (!detail || detail.status !== 'True') {
      const status: ConditionStatus = detail?.status === 'Unknown' || !detail ? 'Unknown' : 'False';
      return { status, reason: detail?.reason ?? Reasons.Any.Pending, message: `${type}: ${detail?.message ?? 'not reconciled yet'}` };
    }
  }
  return { status: 'True', reason: Reasons.Ready.Reconciled, message: 'Topics, gateway fleet, autoscaling and alerts are in the desired state' };
}
