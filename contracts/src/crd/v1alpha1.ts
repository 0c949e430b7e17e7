/**
 * The CesStream API, version v1alpha1 (`cesstreams.ces.io`): spec and status types, condition
 * types and reasons. The operator reconciles these, cdk8s installs the CRD generated from
 * `./cesstream-crd.ts`, tests and docs read the same names. Defaults below are the CRD's
 * (applied by the API server at admission), so a stored object always carries them.
 */

export const Group = 'ces.io';
export const Version = 'v1alpha1';
export const ApiVersion = `${Group}/${Version}`;
export const Kind = 'CesStream';
export const Plural = 'cesstreams';
export const CrdName = `${Plural}.${Group}`;
/** Finalizer the operator puts on every CesStream it manages. */
export const Finalizer = 'ces.io/finalizer';

/** How the operator manages the stream's Kafka topics. */
export type TopicManagement = 'create' | 'verify' | 'strimzi';
/** What happens to the Kafka topics when the CesStream is deleted. @default "Retain" */
export type DeletionPolicy = 'Retain' | 'Delete';
export type RecordFormat = 'json' | 'avro' | 'protobuf';
/** Where a record names its target (session, customer, room, broadcast). */
export type RoutingSource = 'headers' | 'key' | 'field';

export interface SecretKeyRef {
  readonly name: string;
  /** @default depends on the field */
  readonly key?: string;
}

export interface TopicRouting {
  /** @default "headers" (`ces-session-id`, `ces-customer-id`, `ces-room`, `ces-broadcast`) */
  readonly source: RoutingSource;
  /** JSON path of the target in the value (`source: field`). */
  readonly field?: string;
  /** What the key/field names: @default "session" */
  readonly target?: 'session' | 'customer' | 'room' | 'broadcast';
}

export interface TopicSpec {
  /** Kafka topic name; unique within the stream. */
  readonly name: string;
  /** Partition count; can grow, never shrink (CEL). @default 6 */
  readonly partitions: number;
  /** Replication factor; absent = the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Topic configs (`retention.ms`, `cleanup.policy`, ...), reconciled on every pass. */
  readonly config?: Readonly<Record<string, string>>;
  /** @default "json" */
  readonly format?: RecordFormat;
  /** JSON Schema (as a JSON string) records on this topic must satisfy. */
  readonly schema?: string;
  readonly routing?: TopicRouting;
}

/** A topic the stream writes to (inbound client messages, DLQ): routing does not apply. */
export interface AuxTopicSpec {
  readonly name: string;
  /** @default 3 */
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

export interface KafkaSpec {
  readonly bootstrapServers: readonly string[];
  /** Secret with `username`, `password` and optional `mechanism` (plain, scram-sha-256, scram-sha-512). */
  readonly authSecretRef?: SecretKeyRef;
  /** @default false */
  readonly tls?: boolean;
  /** Consumer group of the gateway fleet. @default "ces.<namespace>.<name>" */
  readonly consumerGroup?: string;
  /** @default "create" */
  readonly topicManagement: TopicManagement;
  /** `strimzi.io/cluster` label of emitted KafkaTopics; required with topicManagement strimzi. */
  readonly strimziCluster?: string;
  /** Namespace for KafkaTopic objects. @default the CesStream's namespace */
  readonly strimziNamespace?: string;
  readonly topics: readonly TopicSpec[];
  readonly inboundTopic?: AuxTopicSpec;
  readonly dlqTopic?: AuxTopicSpec;
}

export interface RedisSpec {
  /** `redis://host:port` without credentials; exclusive with urlSecretRef. */
  readonly url?: string;
  /** Secret key holding the URL (with credentials). @default key "url" */
  readonly urlSecretRef?: SecretKeyRef;
  /** @default "standalone" */
  readonly mode: 'standalone' | 'cluster';
}

export interface AuthSpec {
  /** @default "registry" */
  readonly mode: 'registry' | 'jwt';
  /** Secret key with the HS256 secret. @default key "secret" */
  readonly jwtSecretRef?: SecretKeyRef;
  /** Secret key with the RS256/ES256 public key (PEM). @default key "publicKey" */
  readonly jwtPublicKeySecretRef?: SecretKeyRef;
  readonly jwksUrl?: string;
  /** Secret key holding the backend API token for `/api/sessions`, `/api/push`. @default key "token" */
  readonly apiTokenSecretRef?: SecretKeyRef;
}

export interface AutoscalingSpec {
  /** @default 2 */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly cpuTargetPercent: number;
  /** Average open WebSocket connections per pod. @default 1000 */
  readonly connectionsPerPod: number;
}

export interface IngressSpec {
  readonly host: string;
  readonly className?: string;
  readonly tlsSecretName?: string;
  /** Proxy read/send timeout, seconds. @default 3600 */
  readonly timeoutSeconds?: number;
}

export interface SessionSpec {
  /** @default 3600 */
  readonly ttlSeconds: number;
  /** @default 25000 */
  readonly heartbeatIntervalMs: number;
  /** Bound of each connection's outbound queue. @default 1048576 */
  readonly outboundBufferBytes: number;
  /** @default 100000 */
  readonly maxSessions: number;
  /** @default 10 */
  readonly drainGraceSeconds: number;
}

export interface GatewaySpec {
  /** @default "ghcr.io/ces/gateway:0.1.0" */
  readonly image: string;
  /** Fixed pod count; ignored under autoscaling (the HPA owns replicas). @default 2 */
  readonly replicas: number;
  readonly autoscaling?: AutoscalingSpec;
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
  };
  readonly session?: SessionSpec;
  readonly ingress?: IngressSpec;
  /** Origins allowed to open WebSockets. @default [] (any) */
  readonly allowedOrigins?: readonly string[];
  /** Public base URL clients reach (builds `websocketUrl`). @default from ingress host */
  readonly publicUrl?: string;
}

export interface AlertThresholds {
  /** @default 100000 */
  readonly consumerLagRecords: number;
  /** Percent of failed deliveries. @default 1 */
  readonly errorRatePercent: number;
  /** @default 0.1 */
  readonly deliveryP95Seconds: number;
}

export interface MonitoringSpec {
  /** @default true */
  readonly dashboards: boolean;
  /** @default true */
  readonly alerts: boolean;
  /** Namespace the Grafana sidecar watches. @default the operator's `monitoringNamespace` */
  readonly namespace?: string;
  readonly thresholds?: AlertThresholds;
  /** Labels for PrometheusRule objects (match the Prometheus `ruleSelector`). */
  readonly ruleLabels?: Readonly<Record<string, string>>;
}

export interface CesStreamSpec {
  readonly kafka: KafkaSpec;
  readonly redis?: RedisSpec;
  readonly auth?: AuthSpec;
  readonly gateway: GatewaySpec;
  readonly monitoring?: MonitoringSpec;
  /** @default "Retain" */
  readonly deletionPolicy: DeletionPolicy;
}

// ---- status ------------------------------------------------------------------------------------

export const ConditionTypes = ['Ready', 'TopicsReady', 'GatewayReady', 'AutoscalingReady', 'AlertsReady'] as const;
export type ConditionType = (typeof ConditionTypes)[number];
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Every condition reason the operator writes, by condition. CamelCase, stable: users alert on them.
 * Append-only (a renamed reason silently breaks someone's `kubectl wait`).
 */
export const Reasons = {
  Ready: {
    Reconciled: 'Reconciled',
    Progressing: 'Progressing',
    Failed: 'ReconcileFailed',
    InvalidSpec: 'InvalidSpec',
    Deleting: 'Deleting',
  },
  TopicsReady: {
    Reconciled: 'TopicsReconciled',
    Verified: 'TopicsVerified',
    Delegated: 'KafkaTopicsApplied',
    StrimziNotReady: 'KafkaTopicsNotReady',
    KafkaUnavailable: 'KafkaUnavailable',
    ShrinkRefused: 'PartitionShrinkRefused',
    Missing: 'TopicsMissing',
    Mismatch: 'TopicsMismatch',
    Failed: 'TopicOperationFailed',
  },
  GatewayReady: {
    Available: 'DeploymentAvailable',
    Progressing: 'DeploymentProgressing',
    Missing: 'DeploymentMissing',
    ApplyFailed: 'ApplyFailed',
  },
  AutoscalingReady: {
    Disabled: 'AutoscalingDisabled',
    Applied: 'HorizontalPodAutoscalerApplied',
    Unable: 'HorizontalPodAutoscalerUnable',
    ApplyFailed: 'ApplyFailed',
  },
  AlertsReady: {
    Disabled: 'MonitoringDisabled',
    Provisioned: 'AlertsProvisioned',
    Failed: 'AlertsFailed',
  },
  Any: { Pending: 'Pending' },
} as const;

export interface Condition {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  /** RFC 3339; changes only when `status` changes. */
  readonly lastTransitionTime: string;
}

export type TopicState = 'Ready' | 'Pending' | 'Missing' | 'ShrinkRefused' | 'Mismatch' | 'Error';

export interface TopicStatus {
  readonly name: string;
  readonly state: TopicState;
  /** Partitions the topic has in Kafka (absent when unknown). */
  readonly partitions?: number;
  readonly message?: string;
}

export interface CesStreamStatus {
  /** `metadata.generation` of the last fully successful pass. */
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  readonly replicas?: number;
  readonly readyReplicas?: number;
  /** Public WebSocket endpoint (`wss://host/ws`) or the in-cluster Service URL. */
  readonly endpoint?: string;
  readonly consumerGroup?: string;
  readonly topics?: readonly TopicStatus[];
  /** For printer columns: "ready/desired" pods and "ready/total" topics. */
  readonly summary?: { readonly replicas: string; readonly topics: string };
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CesStream {
  readonly apiVersion: typeof ApiVersion;
  readonly kind: typeof Kind;
  readonly metadata: ObjectMeta;
  readonly spec: CesStreamSpec;
  readonly status?: CesStreamStatus;
}
