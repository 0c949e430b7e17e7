/**
 * The RBAC the operator needs, and nothing more. The chart generator (`cdk8s/src/main.ts`) binds
 * `operatorRules` (the FIRST PolicyRule[] export of this module) in a ClusterRole, bound
 * cluster-wide or per watched namespace; `leaderElectionRules` go into a Role in the operator's
 * own namespace. The e2e RBAC test runs the operator with a token bound to exactly these rules,
 * so a missing verb fails a test rather than a production install.
 */

/** One RBAC rule, in the API's field names. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** Kinds the operator server-side applies, watches and prunes. */
const OWNED = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export const operatorRules: readonly PolicyRule[] = [
  // The primary kind: watch it, add/remove the finalizer (patch), write status.
  { apiGroups: ['ces.io'], resources: ['cesstreams'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
  { apiGroups: ['ces.io'], resources: ['cesstreams/status'], verbs: ['get', 'patch', 'update'] },
  // Owner references with blockOwnerDeletion need update on the owner's finalizers subresource.
  { apiGroups: ['ces.io'], resources: ['cesstreams/finalizers'], verbs: ['update'] },
  // The gateway fleet and the Grafana ConfigMaps (also in the monitoring namespace).
  { apiGroups: [''], resources: ['configmaps', 'services'], verbs: OWNED },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: OWNED },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: OWNED },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: OWNED },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: OWNED },
  // Kafka admin credentials named by spec.kafka.authSecretRef: read one Secret, never list them.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  // Events on CesStreams for notable transitions.
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  // Optional integrations, used only when their CRDs are served (checked through discovery).
  { apiGroups: ['monitoring.coreos.com'], resources: ['prometheusrules'], verbs: OWNED },
  { apiGroups: ['grafana.integreatly.org'], resources: ['grafanaalertrulegroups'], verbs: OWNED },
  { apiGroups: ['kafka.strimzi.io'], resources: ['kafkatopics'], verbs: OWNED },
];

/** Leader election: Leases in the operator's own namespace (a Role, not a ClusterRole). */
export const leaderElectionRules: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
];
