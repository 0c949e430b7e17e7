/**
 * What a cluster needs to run the CES operator: CRD, ServiceAccount, least-privilege RBAC,
 * Deployment, metrics Service, optional ServiceMonitor and the operator dashboards ConfigMap.
 *
 * Split into small constructs so the chart app can put the optional parts into their own
 * template files (the Helm post-step wraps those in `if`/`range`). `OperatorInstall` composes
 * them for plain-manifest use (tests, `kubectl apply`).
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-33';
import { Construct } from 'constructs';

/** One RBAC rule, in the API's field names (`apiGroups`, `resources`, `verbs`, ...). */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** Labels every install object carries; the selector subset is stable across upgrades. */
export function operatorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'ces-operator', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'operator' };
}
function operatorSelector(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'ces-operator', 'app.kubernetes.io/instance': name };
}

export interface OperatorCommonProps {
  /** Name of the ServiceAccount, Deployment, Service and RBAC objects. @default "ces-operator" */
  readonly name?: string;
  /** Namespace the operator runs in. */
  readonly namespace: string;
}

export interface OperatorRbacProps extends OperatorCommonProps {
  /** Rules the operator needs to reconcile CesStreams (from `operator/rbac.ts`). */
  readonly rules: readonly PolicyRule[];
  /**
   * Namespaces the operator watches. Empty: a ClusterRoleBinding (cluster-wide watch);
   * otherwise one RoleBinding per namespace to the same ClusterRole. @default []
   */
  readonly watchNamespaces?: readonly string[];
  /**
   * Where the operator writes Grafana ConfigMaps (its `CES_MONITORING_NAMESPACE`). With watch
   * namespaces, the ClusterRole is bound here too (once, if it is also watched). @default none
   */
  readonly monitoringNamespace?: string;
}

/** ServiceAccount, ClusterRole, the binding(s), and a Role for leader election in its own namespace. */
export class OperatorServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: OperatorCommonProps) {
    super(scope, id);
    const name = props.name ?? 'ces-operator';
    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name, namespace: props.namespace, labels: operatorLabels(name) },
      automountServiceAccountToken: true,
    });
  }
}

export class OperatorClusterRole extends Construct {
  constructor(scope: Construct, id: string, props: OperatorRbacProps) {
    super(scope, id);
    const name = props.name ?? 'ces-operator';
    new k8s.KubeClusterRole(this, 'role', {
      metadata: { name, labels: operatorLabels(name) },
      rules: props.rules.map(toK8sRule),
    });
  }
}

/**
 * Binds the ClusterRole cluster-wide (no watch namespaces) or per watched namespace plus the
 * monitoring namespace (the operator writes Grafana ConfigMaps there).
 */
export class OperatorBindings extends Construct {
  constructor(scope: Construct, id: string, props: OperatorRbacProps) {
    super(scope, id);
    const name = props.name ?? 'ces-operator';
    const subjects = [{ kind: 'ServiceAccount', name, namespace: props.namespace }];
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name };
    const watch = props.watchNamespaces ?? [];
    if (watch.length === 0) {
      new k8s.KubeClusterRoleBinding(this, 'cluster', { metadata: { name, labels: operatorLabels(name) }, subjects, roleRef });
      return;
    }
    const bound = props.monitoringNamespace ? [...new Set([...watch, props.monitoringNamespace])] : watch;
    for (const ns of bound) {
      new k8s.KubeRoleBinding(this, `ns-${ns}`, { metadata: { name, namespace: ns, labels: operatorLabels(name) }, subjects, roleRef });
    }
  }
}

/** Default rules of the leader-election Role: Leases in the operator's own namespace. */
export const defaultLeaderElectionRules: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
];

/** Leader election Leases live in the operator's own namespace only: a Role, not a ClusterRole. */
export class OperatorLeaderElectionRbac extends Construct {
  constructor(scope: Construct, id: string, props: OperatorCommonProps & { readonly rules?: readonly PolicyRule[] }) {
    super(scope, id);
    const name = `${props.name ?? 'ces-operator'}-leader-election`;
    const saName = props.name ?? 'ces-operator';
    const metadata = { name, namespace: props.namespace, labels: operatorLabels(saName) };
    new k8s.KubeRole(this, 'role', {
      metadata,
      rules: (props.rules ?? defaultLeaderElectionRules).map(toK8sRule),
    });
    new k8s.KubeRoleBinding(this, 'binding', {
      metadata,
      subjects: [{ kind: 'ServiceAccount', name: saName, namespace: props.namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    });
  }
}

export interface OperatorDeploymentProps extends OperatorCommonProps {
  /** Full image reference. */
  readonly image: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: string;
  /** Operator replicas; one leads (Lease), the others stand by. @default 1 */
  readonly replicas?: number;
  /** Port serving /healthz, /readyz and /metrics. @default 8080 */
  readonly port?: number;
  /** Comma-joined into CES_WATCH_NAMESPACES; empty watches all namespaces. @default [] */
  readonly watchNamespaces?: readonly string[];
  /** pino level. @default "info" */
  readonly logLevel?: string;
  /** CES_MONITORING_NAMESPACE (Grafana ConfigMaps). @default unset: the operator's default, `monitoring` */
  readonly monitoringNamespace?: string;
  /** @default requests cpu 100m / memory 128Mi, limits memory 256Mi */
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  /** Extra env vars (e.g. the default gateway image). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** Env names the operator's config reads (operator/src/config.ts). */
export const OPERATOR_ENV = {
  watchNamespaces: 'CES_WATCH_NAMESPACES',
  logLevel: 'CES_LOG_LEVEL',
  port: 'CES_OPERATOR_PORT',
  podName: 'CES_POD_NAME',
  podNamespace: 'CES_POD_NAMESPACE',
  monitoringNamespace: 'CES_MONITORING_NAMESPACE',
} as const;

export class OperatorDeployment extends Construct {
  constructor(scope: Construct, id: string, props: OperatorDeploymentProps) {
    super(scope, id);
    const name = props.name ?? 'ces-operator';
    const port = props.port ?? 8080;
    const metadata = { name, namespace: props.namespace, labels: operatorLabels(name) };
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };
    const quantities = (r: Record<string, string> | undefined) =>
      Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
    const probe = (path: string, periodSeconds: number) => ({ httpGet: { path, port: k8s.IntOrString.fromString('http') }, periodSeconds, timeoutSeconds: 2 });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: props.replicas ?? 1,
        selector: { matchLabels: operatorSelector(name) },
        template: {
          metadata: { labels: operatorLabels(name) },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            // The operator drains its work queue and releases the Lease on SIGTERM.
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'operator',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
                env: [
                  { name: OPERATOR_ENV.watchNamespaces, value: (props.watchNamespaces ?? []).join(',') },
                  { name: OPERATOR_ENV.logLevel, value: props.logLevel ?? 'info' },
                  { name: OPERATOR_ENV.port, value: String(port) },
                  { name: OPERATOR_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: OPERATOR_ENV.podNamespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  ...(props.monitoringNamespace ? [{ name: OPERATOR_ENV.monitoringNamespace, value: props.monitoringNamespace }] : []),
                  ...Object.entries(props.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
                ],
                livenessProbe: probe('/healthz', 10),
                readinessProbe: probe('/readyz', 5),
                resources: { requests: quantities(resources.requests), limits: quantities(resources.limits) },
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'metrics', {
      metadata,
      spec: { selector: operatorSelector(name), ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }] },
    });
  }
}

/** prometheus-operator ServiceMonitor (raw object: its CRD may not exist in the cluster). */
export class OperatorServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: OperatorCommonProps & { readonly intervalSeconds?: number }) {
    super(scope, id);
    const name = props.name ?? 'ces-operator';
    new ApiObject(this, 'sm', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name, namespace: props.namespace, labels: operatorLabels(name) },
      spec: {
        selector: { matchLabels: operatorSelector(name) },
        endpoints: [{ port: 'http', path: '/metrics', interval: `${props.intervalSeconds ?? 30}s` }],
      },
    });
  }
}

/** Grafana dashboards for the operator, picked up by the Grafana sidecar (`grafana_dashboard` label). */
export class OperatorDashboards extends Construct {
  constructor(scope: Construct, id: string, props: OperatorCommonProps & { readonly dashboards: Readonly<Record<string, string>> }) {
    super(scope, id);
    const name = `${props.name ?? 'ces-operator'}-dashboards`;
    new k8s.KubeConfigMap(this, 'cm', {
      metadata: { name, namespace: props.namespace, labels: { ...operatorLabels(props.name ?? 'ces-operator'), grafana_dashboard: '1' } },
      data: { ...props.dashboards },
    });
  }
}

/** The CesStream CRD as generated by the operator (kept verbatim: L1 bindings would drop x-kubernetes-* keys). */
export class CesStreamCrd extends Construct {
  constructor(scope: Construct, id: string, crd: Readonly<Record<string, unknown>>) {
    super(scope, id);
    const { apiVersion, kind, metadata, ...rest } = crd as { apiVersion: string; kind: string; metadata: { name: string } };
    new ApiObject(this, 'crd', { apiVersion, kind, metadata, ...rest });
  }
}

export interface OperatorInstallProps extends OperatorRbacProps, OperatorDeploymentProps {
  /** Rules of the leader-election Role in the operator's namespace. @default Leases get/list/watch/create/update/patch */
  readonly leaderElectionRules?: readonly PolicyRule[];
  /** The CRD object (parsed operator/crd/cesstreams.ces.io.yaml). @default not included */
  readonly crd?: Readonly<Record<string, unknown>>;
  /** @default false */
  readonly serviceMonitor?: boolean;
  /** Dashboard file name → JSON text. @default no ConfigMap */
  readonly dashboards?: Readonly<Record<string, string>>;
}

/** Everything in one scope, for plain manifests. */
export class OperatorInstall extends Construct {
  constructor(scope: Construct, id: string, props: OperatorInstallProps) {
    super(scope, id);
    if (props.crd) new CesStreamCrd(this, 'crd', props.crd);
    new OperatorServiceAccount(this, 'sa', props);
    new OperatorClusterRole(this, 'cluster-role', props);
    new OperatorBindings(this, 'bindings', props);
    // Not `...props`: its `rules` are the ClusterRole's, which must not leak into the Lease Role.
    new OperatorLeaderElectionRbac(this, 'leader-election', { namespace: props.namespace, ...(props.name ? { name: props.name } : {}), rules: props.leaderElectionRules ?? defaultLeaderElectionRules });
    new OperatorDeployment(this, 'deployment', props);
    if (props.serviceMonitor) new OperatorServiceMonitor(this, 'service-monitor', props);
    if (props.dashboards && Object.keys(props.dashboards).length > 0) new OperatorDashboards(this, 'dashboards', { ...props, dashboards: props.dashboards });
  }
}

function toK8sRule(rule: PolicyRule): k8s.PolicyRule {
  return {
    ...(rule.apiGroups ? { apiGroups: [...rule.apiGroups] } : {}),
    ...(rule.resources ? { resources: [...rule.resources] } : {}),
    ...(rule.resourceNames ? { resourceNames: [...rule.resourceNames] } : {}),
    verbs: [...rule.verbs],
  };
}
