/**
 * Props of the GatewayFleet construct (gateway-fleet.ts): what one gateway fleet needs to know.
 * Every optional prop documents its default and unit.
 */

/** HPA settings. The HPA owns `spec.replicas` while set. */
export interface GatewayAutoscalingProps {
  /** Lower bound of pods. @default 2 */
  readonly minReplicas?: number;
  /** Upper bound of pods; must be ≥ minReplicas. */
  readonly maxReplicas: number;
  /** Average CPU utilisation target, percent of the CPU request. @default 70 */
  readonly cpuTargetPercent?: number;
  /** Average open WebSocket connections per pod (Pods metric). @default 1000 */
  readonly connectionsPerPod?: number;
  /** Name of the Pods metric as served by the custom metrics API. @default "ces_gateway_connections" */
  readonly connectionsMetricName?: string;
  /**
   * Scale-down stabilisation window, seconds. Long on purpose: every removed pod drops its
   * sockets (clients resume elsewhere), so the fleet shrinks slowly. @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/** Ingress in front of the fleet (written for ingress-nginx; other classes ignore its annotations). */
export interface GatewayIngressProps {
  /** Public host name, e.g. `events.example.com`. */
  readonly host: string;
  /** `spec.ingressClassName`. @default cluster default class */
  readonly className?: string;
  /** Secret holding the TLS certificate for `host`. @default no TLS */
  readonly tlsSecretName?: string;
  /**
   * ingress-nginx proxy read/send timeout, seconds. WebSockets are idle between events; the
   * gateway's heartbeat keeps them alive only if this exceeds the heartbeat interval. @default 3600
   */
  readonly timeoutSeconds?: number;
  /** Extra annotations, merged over the defaults. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** CPU/memory in Kubernetes quantity strings (`"250m"`, `"256Mi"`). */
export interface GatewayResources {
  readonly requests?: Readonly<Record<'cpu' | 'memory', string>>;
  readonly limits?: Readonly<Partial<Record<'cpu' | 'memory', string>>>;
}

/** One env var taken from a Secret key (tokens, passwords, Redis URLs with credentials). */
export interface SecretEnvVar {
  /** Env var name, e.g. `CES_AUTH_API_TOKEN`. */
  readonly name: string;
  readonly secretName: string;
  readonly key: string;
  /** @default false */
  readonly optional?: boolean;
}

export interface GatewayFleetProps {
  /** Base name of every object (ConfigMap is `<name>-config`). DNS-1035 label. */
  readonly name: string;
  /** @default the chart's namespace */
  readonly namespace?: string;
  /** Full image reference, e.g. `ghcr.io/ces/gateway:0.1.0`. */
  readonly image: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** The gateway config file content (convict schema); written as YAML into the ConfigMap. Never put secrets here. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Plain env vars. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Env vars from Secret keys. @default [] */
  readonly secretEnv?: readonly SecretEnvVar[];
  /** Secrets whose every key becomes an env var (`envFrom`). @default [] */
  readonly envFromSecrets?: readonly string[];
  /** Fixed pod count; ignored (and `spec.replicas` omitted) when `autoscaling` is set. @default 2 */
  readonly replicas?: number;
  /** @default no HPA */
  readonly autoscaling?: GatewayAutoscalingProps;
  /** @default requests cpu 250m / memory 256Mi, limits memory 512Mi */
  readonly resources?: GatewayResources;
  /** Container port of the HTTP API and WebSocket endpoint. @default 8080 */
  readonly httpPort?: number;
  /** Container port serving `/metrics`. @default httpPort (same listener) */
  readonly metricsPort?: number;
  /** @default no Ingress */
  readonly ingress?: GatewayIngressProps;
  /**
   * Seconds the gateway needs to drain on SIGTERM (readiness off, sockets closed with the
   * reconnect code, last batch committed). @default 30
   */
  readonly drainGraceSeconds?: number;
  /** Added to drainGraceSeconds for terminationGracePeriodSeconds, seconds. @default 10 */
  readonly terminationMarginSeconds?: number;
  /** PDB `maxUnavailable`. @default 1 */
  readonly maxUnavailable?: number;
  /** Labels added to every object (the operator adds its owner labels here). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra pod-template annotations (e.g. Prometheus scrape hints). @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** @default the namespace's default ServiceAccount, with no API token mounted */
  readonly serviceAccountName?: string;
}
