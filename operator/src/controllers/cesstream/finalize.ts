/**
 * Deletion path. Owned same-namespace children go with the CesStream through garbage collection
 * (controller owner references); what GC cannot reach is removed here before the finalizer is
 * released: Grafana ConfigMaps in the monitoring namespace, and — only with deletionPolicy
 * Delete — the Kafka topics (admin API) or the KafkaTopic objects (strimzi mode).
 * If Kafka is unreachable the finalizer stays and the pass is retried with backoff: a topic is
 * never silently leaked. Switching the policy to Retain releases the CesStream.
 */
import { Finalizer } from '@ces/contracts/crd/v1alpha1';
import type { CesStream } from '@ces/contracts/crd/v1alpha1';
import type { Cluster, KubeObject } from '../../runtime/cluster.ts';
import { refOf } from '../../runtime/cluster.ts';
import { ownerSelector } from './names.ts';
import { deleteTopics } from './topics.ts';
import type { TopicsDeps } from './topics.ts';

export interface FinalizeDeps extends TopicsDeps {
  readonly monitoringNamespace: string;
  readonly kafkaTopicApiVersion?: string;
}

export async function finalize(cr: CesStream, deps: FinalizeDeps): Promise<void> {
  if (!cr.metadata.finalizers?.includes(Finalizer)) return;
  const ns = cr.spec.monitoring?.namespace ?? deps.monitoringNamespace;
  await deleteLabelled(deps.cluster, cr, 'v1', 'ConfigMap', ns);
  if (cr.spec.deletionPolicy === 'Delete') {
    const mode = cr.spec.kafka.topicManagement ?? 'create';
    if (mode === 'create') {
      const outcome = await deleteTopics(cr, deps);
      if (outcome.failure) throw new Error(`Deleting Kafka topics failed (${outcome.failure.reason}): ${outcome.failure.message}`);
    }
    if (mode === 'strimzi' && deps.kafkaTopicApiVersion) {
      await deleteLabelled(deps.cluster, cr, deps.kafkaTopicApiVersion, 'KafkaTopic', cr.spec.kafka.strimziNamespace ?? cr.metadata.namespace);
    }
  }
  await setFinalizer(deps.cluster, cr, false);
}

/** Adds or removes our finalizer; the resourceVersion makes a concurrent change fail with 409 (retried). */
export async function setFinalizer(cluster: Cluster, cr: CesStream, present: boolean): Promise<CesStream> {
  const current = cr.metadata.finalizers ?? [];
  const has = current.includes(Finalizer);
  if (has === present) return cr;
  const finalizers = present ? [...current, Finalizer] : current.filter((f) => f !== Finalizer);
  const patch = { metadata: { finalizers, resourceVersion: cr.metadata.resourceVersion } };
  return (await cluster.mergePatch(refOf(cr as unknown as KubeObject), patch)) as unknown as CesStream;
}

async function deleteLabelled(cluster: Cluster, cr: CesStream, apiVersion: string, kind: string, namespace: string): Promise<void> {
  for (const obj of await cluster.list(apiVersion, kind, { namespace, labelSelector: ownerSelector(cr) })) await cluster.delete(refOf(obj));
}
