/**
 * Kafka topics of a CesStream: `create` mode creates/expands/configures them through the admin
 * port, `verify` mode only compares, `strimzi` mode reads the state of the KafkaTopic objects
 * that render/apply produced. Never throws for Kafka trouble: the outcome carries the reason,
 * status reports it, and the pass requeues itself to try again.
 */
import type { CesStream, TopicStatus } from '@ces/contracts/crd/v1alpha1';
import { Reasons } from '@ces/contracts/crd/v1alpha1';
import type { Cluster, KubeObject } from '../../runtime/cluster.ts';
import { TopicAdminError } from '../../ports/topic-admin.ts';
import type { KafkaConnection, TopicAdmin, TopicAdminFactory } from '../../ports/topic-admin.ts';
import { desiredTopics, planTopics } from './topic-plan.ts';
import type { TopicAction } from './topic-plan.ts';

export interface TopicsOutcome {
  readonly topics: TopicStatus[];
  /** Set when the topics could not be reconciled: a TopicsReady reason and message. */
  readonly failure?: { readonly reason: string; readonly message: string };
  /** Operations that ran this pass, for Events and metrics. */
  readonly performed: TopicAction[];
}

export interface TopicsDeps {
  readonly cluster: Cluster;
  readonly adminFactory: TopicAdminFactory;
  readonly onOperation?: (op: TopicAction['op'] | 'verify') => void;
}

export async function reconcileTopics(cr: CesStream, deps: TopicsDeps): Promise<TopicsOutcome> {
  const desired = desiredTopics(cr);
  const mode = cr.spec.kafka.topicManagement ?? 'create';
  return withAdmin(cr, deps, async (admin) => {
    const observed = await admin.describe(desired.map((t) => t.name));
    const plan = planTopics(desired, observed, mode);
    if (mode === 'verify') deps.onOperation?.('verify');
    const performed: TopicAction[] = [];
    for (const action of plan.actions) {
      if (action.op === 'create') await admin.create([action.topic]);
      else if (action.op === 'expand') await admin.expand(action.name, action.partitions);
      else await admin.setConfig(action.name, action.config);
      performed.push(action);
      deps.onOperation?.(action.op);
    }
    return { topics: plan.topics, performed };
  });
}

/** deletionPolicy Delete: removes the stream's topics (create mode only; verify never deletes). */
export async function deleteTopics(cr: CesStream, deps: TopicsDeps): Promise<TopicsOutcome> {
  return withAdmin(cr, deps, async (admin) => {
    await admin.delete(desiredTopics(cr).map((t) => t.name));
    return { topics: [], performed: [] };
  });
}

/** strimzi mode: per-topic state from the KafkaTopic objects' Ready condition. */
export function strimziTopicsOutcome(applied: readonly KubeObject[], served: boolean): TopicsOutcome {
  if (!served) {
    const message = 'KafkaTopic (kafka.strimzi.io) is not served: install Strimzi or use topicManagement create';
    return { topics: [], performed: [], failure: { reason: Reasons.TopicsReady.StrimziNotReady, message } };
  }
  const topics = applied
    .filter((o) => o.kind === 'KafkaTopic')
    .map((o): TopicStatus => {
      const spec = o.spec as { topicName: string; partitions: number };
      const status = (o.status ?? {}) as { conditions?: { type: string; status: string; message?: string }[] };
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') return { name: spec.topicName, state: 'Ready', partitions: spec.partitions };
      return { name: spec.topicName, state: ready ? 'Error' : 'Pending', message: ready?.message ?? 'Waiting for the Strimzi topic operator' };
    });
  const notReady = topics.filter((t) => t.state !== 'Ready');
  return notReady.length === 0
    ? { topics, performed: [] }
    : { topics, performed: [], failure: { reason: Reasons.TopicsReady.StrimziNotReady, message: `KafkaTopics not ready: ${notReady.map((t) => t.name).join(', ')}` } };
}

async function withAdmin(cr: CesStream, deps: TopicsDeps, work: (admin: TopicAdmin) => Promise<TopicsOutcome>): Promise<TopicsOutcome> {
  let admin: TopicAdmin | undefined;
  try {
    admin = await deps.adminFactory(await connection(cr, deps.cluster));
    return await work(admin);
  } catch (err) {
    const unavailable = err instanceof TopicAdminError && err.unavailable;
    const reason = unavailable ? Reasons.TopicsReady.KafkaUnavailable : Reasons.TopicsReady.Failed;
    return { topics: [], performed: [], failure: { reason, message: (err as Error).message } };
  } finally {
    await admin?.close().catch(() => undefined);
  }
}

async function connection(cr: CesStream, cluster: Cluster): Promise<KafkaConnection> {
  const { bootstrapServers, tls, authSecretRef } = cr.spec.kafka;
  const base = { brokers: bootstrapServers, ssl: tls ?? false };
  if (!authSecretRef) return base;
  const secret = await cluster.readSecret(cr.metadata.namespace, authSecretRef.name);
  if (!secret?.username || !secret.password) {
    throw new Error(`Secret ${authSecretRef.name} (spec.kafka.authSecretRef) is missing or lacks username/password`);
  }
  const mechanism = (secret.mechanism ?? 'plain') as 'plain' | 'scram-sha-256' | 'scram-sha-512';
  return { ...base, sasl: { mechanism, username: secret.username, password: secret.password } };
}
