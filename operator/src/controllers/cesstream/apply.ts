/**
 * Server-side apply of every rendered object (field manager from config, force: the operator
 * owns these fields and takes them back from anyone who edited them), then prune: objects that
 * carry this CesStream's owner labels but were not rendered this pass are deleted (SSA never
 * deletes). Fields set by other managers that we do not render survive both steps.
 *
 * KafkaTopics are never pruned: deleting one makes Strimzi delete the Kafka topic, which only
 * the finalizer may do (deletionPolicy Delete).
 */
import type { CesStream } from '@ces/contracts/crd/v1alpha1';
import type { Cluster, KubeObject, ObjectRef } from '../../runtime/cluster.ts';
import { refOf } from '../../runtime/cluster.ts';
import { ownerSelector } from './names.ts';

/** Kinds the operator renders and therefore may prune, with the namespaces they can live in. */
export interface PruneScope {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaces: readonly string[];
}

export async function applyAll(cluster: Cluster, fieldManager: string, desired: readonly KubeObject[]): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  // Sequential on purpose: the ConfigMap lands before the Deployment whose hash annotation names it.
  for (const obj of desired) applied.push(await cluster.apply(obj, fieldManager));
  return applied;
}

export function pruneScopes(cr: CesStream, monitoringNamespace: string, extra: { prometheusRule: boolean; grafanaAlertRuleGroup: boolean }): PruneScope[] {
  const ns = cr.metadata.namespace;
  const configMapNamespaces = [...new Set([ns, monitoringNamespace])];
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', namespaces: configMapNamespaces },
    { apiVersion: 'v1', kind: 'Service', namespaces: [ns] },
    { apiVersion: 'apps/v1', kind: 'Deployment', namespaces: [ns] },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespaces: [ns] },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaces: [ns] },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespaces: [ns] },
    ...(extra.prometheusRule ? [{ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', namespaces: [ns] }] : []),
    ...(extra.grafanaAlertRuleGroup ? [{ apiVersion: 'grafana.integreatly.org/v1beta1', kind: 'GrafanaAlertRuleGroup', namespaces: [ns] }] : []),
  ];
}

/** Deletes labelled objects of these scopes that are not in `keep`; returns what it deleted. */
export async function prune(cluster: Cluster, cr: CesStream, scopes: readonly PruneScope[], keep: readonly KubeObject[]): Promise<ObjectRef[]> {
  const wanted = new Set(keep.map((o) => identity(refOf(o))));
  const deleted: ObjectRef[] = [];
  for (const scope of scopes) {
    for (const namespace of scope.namespaces) {
      const existing = await cluster.list(scope.apiVersion, scope.kind, { namespace, labelSelector: ownerSelector(cr) });
      for (const obj of existing) {
        const ref = refOf(obj);
        if (wanted.has(identity(ref))) continue;
        if (await cluster.delete(ref)) deleted.push(ref);
      }
    }
  }
  return deleted;
}

/** Group/kind/namespace/name; the version is ignored (one object, many served versions). */
function identity(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
