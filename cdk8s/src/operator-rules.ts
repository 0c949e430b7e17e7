/**
 * RBAC rules for the operator's ClusterRole. The operator owns the list (`operator/rbac.ts`);
 * until that file exists this is the least-privilege set its reconcile needs (CesStreams and
 * their status/finalizers, the fleet's child kinds, and the optional integrations).
 */
import type { PolicyRule } from './operator-install.ts';

const CHILD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export const fallbackOperatorRules: readonly PolicyRule[] = [
  { apiGroups: ['ces.io'], resources: ['cesstreams'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: ['ces.io'], resources: ['cesstreams/status', 'cesstreams/finalizers'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: [''], resources: ['configmaps', 'services'], verbs: CHILD_VERBS },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: CHILD_VERBS },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: CHILD_VERBS },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: CHILD_VERBS },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: CHILD_VERBS },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['monitoring.coreos.com'], resources: ['prometheusrules'], verbs: CHILD_VERBS },
  { apiGroups: ['grafana.integreatly.org'], resources: ['grafanaalertrulegroups'], verbs: CHILD_VERBS },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkatopics'], verbs: CHILD_VERBS },
];
