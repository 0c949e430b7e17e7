/**
 * One gateway fleet: ConfigMap + Deployment + Service (+ Ingress, PDB, HPA).
 *
 * Used twice: by the operator's render step (`renderGatewayFleet`, pure, no files, no network)
 * and by the chart app (`charts/ces-gateway`). Built on the L1 `k8s.*` bindings shipped inside
 * cdk8s-plus-33 (no `cdk8s import` at build time) because the fleet needs exact control over
 * fields the L2 classes decide for us: `spec.replicas` must be absent when an HPA owns it,
 * the HPA needs a Pods metric, and probes/security context must match the gateway's contract.
 */
import { createHash } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { GatewayMetrics } from '@ces/contracts/metrics';
import type { GatewayAutoscalingProps, GatewayFleetProps, GatewayIngressProps, GatewayResources } from './gateway-fleet-props.ts';

/** Where the gateway reads its config file; the gateway is started with `--config` on it. */
export const GATEWAY_CONFIG_DIR = '/etc/ces';
export const GATEWAY_CONFIG_FILE = 'config.yaml';
/** Pod-template annotation holding a hash of the config file: a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'ces.io/config-hash';
/**
 * Default name of the per-pod connections metric in the custom metrics API: the gateway's own
 * gauge, passed through unchanged by the prometheus-adapter rule in docs/install.md.
 */
export const CONNECTIONS_METRIC = GatewayMetrics.connections.name;

export type { GatewayAutoscalingProps, GatewayFleetProps, GatewayIngressProps, GatewayResources, SecretEnvVar } from './gateway-fleet-props.ts';

const DEFAULT_RESOURCES: Required<GatewayResources> = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { memory: '512Mi' },
};
const SERVICE_HTTP_PORT = 80;
const SERVICE_METRICS_PORT = 9090;
const NON_ROOT_UID = 1000; // the `node` user of the official node images

/** Selector labels: stable for the fleet's lifetime (a Deployment selector is immutable). */
export function gatewaySelector(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'ces-gateway', 'app.kubernetes.io/instance': name };
}

/** The config file as written into the ConfigMap: keys sorted so equal configs hash equally. */
export function gatewayConfigYaml(config: Readonly<Record<string, unknown>>): string {
  return stringify(config, { sortMapEntries: true });
}

export function configHash(configYaml: string): string {
  return createHash('sha256').update(configYaml).digest('hex').slice(0, 16);
}

export class GatewayFleet extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: GatewayFleetProps) {
    super(scope, id);
    validate(props);
    this.name = props.name;
    const labels = { ...props.labels, ...gatewaySelector(props.name), 'app.kubernetes.io/component': 'gateway' };
    const meta = (name: string, extra: Record<string, string> = {}): k8s.ObjectMeta => ({
      name,
      ...(props.namespace === undefined ? {} : { namespace: props.namespace }),
      labels,
      ...(Object.keys(extra).length > 0 ? { annotations: extra } : {}),
    });
    const configYaml = gatewayConfigYaml(props.config);
    const configMapName = `${props.name}-config`;

    new k8s.KubeConfigMap(this, 'config', { metadata: meta(configMapName), data: { [GATEWAY_CONFIG_FILE]: configYaml } });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: meta(props.name),
      spec: deploymentSpec(props, labels, configMapName, configHash(configYaml)),
    });
    new k8s.KubeService(this, 'service', { metadata: meta(props.name), spec: serviceSpec(props) });
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: meta(props.name),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: gatewaySelector(props.name) },
      },
    });
    if (props.autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', { metadata: meta(props.name), spec: hpaSpec(props.name, props.autoscaling) });
    }
    if (props.ingress) {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: meta(props.name, ingressAnnotations(props.ingress)),
        spec: ingressSpec(props.name, props.ingress),
      });
    }
  }
}

/**
 * Renders one fleet to plain manifest objects, in a stable order (ConfigMap, Deployment,
 * Service, PDB, HPA, Ingress). Pure: no files, no network, same input → same output.
 * Throws `RangeError` on props no cluster would accept (e.g. maxReplicas < minReplicas).
 */
export function renderGatewayFleet(props: GatewayFleetProps): Record<string, unknown>[] {
  const chart = new Chart(new App(), 'render', { disableResourceNameHashes: true });
  new GatewayFleet(chart, props.name, props);
  return chart.toJson() as Record<string, unknown>[];
}

function validate(props: GatewayFleetProps): void {
  if (!/^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$/.test(props.name)) {
    throw new RangeError(`GatewayFleet name "${props.name}" must be a DNS-1035 label of at most 47 characters`);
  }
  const a = props.autoscaling;
  if (a && a.maxReplicas < (a.minReplicas ?? 2)) {
    throw new RangeError(`GatewayFleet ${props.name}: autoscaling.maxReplicas ${a.maxReplicas} < minReplicas ${a.minReplicas ?? 2}`);
  }
  if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0)) {
    throw new RangeError(`GatewayFleet ${props.name}: replicas must be a non-negative integer`);
  }
}

function deploymentSpec(
  props: GatewayFleetProps,
  labels: Record<string, string>,
  configMapName: string,
  hash: string,
): k8s.DeploymentSpec {
  const drain = props.drainGraceSeconds ?? 30;
  return {
    // Absent under an HPA: server-side apply would otherwise reset the HPA's choice on every pass.
    ...(props.autoscaling ? {} : { replicas: props.replicas ?? 2 }),
    selector: { matchLabels: gatewaySelector(props.name) },
    // Surge first: a rollout never lowers capacity, so reconnecting clients always find room.
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
    template: {
      metadata: { labels, annotations: { ...props.podAnnotations, [CONFIG_HASH_ANNOTATION]: hash } },
      spec: {
        ...(props.serviceAccountName === undefined ? {} : { serviceAccountName: props.serviceAccountName }),
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: drain + (props.terminationMarginSeconds ?? 10),
        securityContext: {
          runAsNonRoot: true,
          runAsUser: NON_ROOT_UID,
          runAsGroup: NON_ROOT_UID,
          fsGroup: NON_ROOT_UID,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: gatewaySelector(props.name) } } },
            ],
          },
        },
        containers: [gatewayContainer(props)],
        volumes: [
          { name: 'config', configMap: { name: configMapName } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ],
      },
    },
  };
}

function gatewayContainer(props: GatewayFleetProps): k8s.Container {
  const httpPort = props.httpPort ?? 8080;
  const metricsPort = props.metricsPort ?? httpPort;
  const resources = props.resources ?? DEFAULT_RESOURCES;
  const env: k8s.EnvVar[] = [
    ...Object.entries(props.env ?? {}).map(([name, value]) => ({ name, value })),
    ...(props.secretEnv ?? []).map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional ?? false } },
    })),
  ];
  const envFrom = (props.envFromSecrets ?? []).map((name) => ({ secretRef: { name } }));
  return {
    name: 'gateway',
    image: props.image,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    args: ['--config', `${GATEWAY_CONFIG_DIR}/${GATEWAY_CONFIG_FILE}`],
    ports: [
      { name: 'http', containerPort: httpPort, protocol: 'TCP' },
      ...(metricsPort === httpPort ? [] : [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }]),
    ],
    ...(env.length > 0 ? { env } : {}),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    // Liveness only asks "is the event loop alive"; readiness adds Kafka group + Redis, so a
    // Redis outage takes pods out of the Service without restarting them.
    livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
    startupProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 2, failureThreshold: 30 },
    resources: {
      requests: quantities(resources.requests),
      ...(resources.limits ? { limits: quantities(resources.limits) } : {}),
    },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'config', mountPath: GATEWAY_CONFIG_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function quantities(values: Readonly<Partial<Record<string, string>>> | undefined): Record<string, k8s.Quantity> {
  const out: Record<string, k8s.Quantity> = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) out[key] = k8s.Quantity.fromString(value);
  return out;
}

function serviceSpec(props: GatewayFleetProps): k8s.ServiceSpec {
  const httpPort = props.httpPort ?? 8080;
  const metricsPort = props.metricsPort ?? httpPort;
  return {
    type: 'ClusterIP',
    selector: gatewaySelector(props.name),
    ports: [
      { name: 'http', port: SERVICE_HTTP_PORT, targetPort: k8s.IntOrString.fromNumber(httpPort), protocol: 'TCP' },
      { name: 'metrics', port: SERVICE_METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(metricsPort), protocol: 'TCP' },
    ],
  };
}

function hpaSpec(name: string, a: GatewayAutoscalingProps): k8s.HorizontalPodAutoscalerSpecV2 {
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    minReplicas: a.minReplicas ?? 2,
    maxReplicas: a.maxReplicas,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuTargetPercent ?? 70 } } },
      {
        type: 'Pods',
        pods: {
          metric: { name: a.connectionsMetricName ?? CONNECTIONS_METRIC },
          target: { type: 'AverageValue', averageValue: k8s.Quantity.fromNumber(a.connectionsPerPod ?? 1000) },
        },
      },
    ],
    behavior: {
      // One pod per minute at most: each removal makes its clients reconnect and resume.
      scaleDown: {
        stabilizationWindowSeconds: a.scaleDownStabilizationSeconds ?? 300,
        policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
      },
    },
  };
}

function ingressAnnotations(ingress: GatewayIngressProps): Record<string, string> {
  const timeout = String(ingress.timeoutSeconds ?? 3600);
  // ingress-nginx forwards Upgrade/Connection for WebSockets by itself; what breaks sockets is
  // its 60 s default proxy timeout, and HTTP/1.0 upstreams. Snippet annotations are avoided:
  // they are disabled by default since ingress-nginx 1.9.
  return {
    'nginx.ingress.kubernetes.io/proxy-read-timeout': timeout,
    'nginx.ingress.kubernetes.io/proxy-send-timeout': timeout,
    'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    ...ingress.annotations,
  };
}

function ingressSpec(name: string, ingress: GatewayIngressProps): k8s.IngressSpec {
  return {
    ...(ingress.className === undefined ? {} : { ingressClassName: ingress.className }),
    ...(ingress.tlsSecretName === undefined ? {} : { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] }),
    rules: [
      {
        host: ingress.host,
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } }],
        },
      },
    ],
  };
}
