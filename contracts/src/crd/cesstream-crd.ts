/**
 * The ONE definition of the CesStream CRD. `operator/crd/cesstreams.ces.io.yaml` is generated
 * from it (`npm run -w @ces/operator crd`) and a test fails when the two drift; the chart
 * installs that YAML. Every field has a description; defaults are applied by the API server.
 *
 * CEL rules enforce what admission must refuse, with messages a user can act on: partitions
 * never decrease (transition rules, correlated through the map-typed topic list), max ≥ min
 * replicas, unique topic names across topics/inbound/DLQ, and required field combinations.
 * Lists and strings carry maxItems/maxLength so the CEL cost estimate stays within budget.
 */
import { CrdName, Group, Kind, Plural, Version } from './v1alpha1.ts';

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, maxLength: 253, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', format: 'int32', description, ...extra });
const bool = (description: string, dflt: boolean): Schema => ({ type: 'boolean', description, default: dflt });
const num = (description: string, extra: Schema = {}): Schema => ({ type: 'number', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  description,
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...extra,
});
const stringMap = (description: string, maxProperties = 64): Schema => ({
  type: 'object',
  description,
  maxProperties,
  additionalProperties: { type: 'string', maxLength: 4096 },
});
const secretRef = (description: string): Schema =>
  obj(description, { name: str('Secret name, in the CesStream\'s namespace.', { minLength: 1 }), key: str('Key within the Secret.') }, ['name']);
const rule = (r: string, message: string, extra: Schema = {}): Schema => ({ rule: r, message, ...extra });

const TOPIC_NAME = '^[a-zA-Z0-9._-]+$';
const partitions = (dflt: number): Schema =>
  int('Partition count. Can grow, never shrink (Kafka cannot remove partitions).', {
    minimum: 1,
    maximum: 10000,
    default: dflt,
    'x-kubernetes-validations': [rule('self >= oldSelf', 'partitions may not decrease (Kafka cannot remove partitions)', { reason: 'FieldValueForbidden' })],
  });
const topicCommon = (dfltPartitions: number): Record<string, Schema> => ({
  name: str('Kafka topic name.', { minLength: 1, maxLength: 249, pattern: TOPIC_NAME }),
  partitions: partitions(dfltPartitions),
  replicationFactor: int('Replication factor; absent uses the broker default. Not changed after creation.', { minimum: 1, maximum: 32 }),
  config: stringMap('Topic configs (e.g. retention.ms, cleanup.policy), reconciled on every pass.'),
});

const topic = obj(
  'A topic whose records the gateways deliver to clients.',
  {
    ...topicCommon(6),
    format: str('Record value encoding.', { enum: ['json', 'avro', 'protobuf'], default: 'json' }),
    schema: str('JSON Schema (a JSON document) every record value must satisfy; failures go to the DLQ.', { maxLength: 65536 }),
    routing: obj(
      'Where a record names its target.',
      {
        source: str('ces-* headers, the record key, or a JSON field of the value.', { enum: ['headers', 'key', 'field'], default: 'headers' }),
        field: str('JSON path of the target in the value (source field), e.g. user.id.'),
        target: str('What the key/field identifies.', { enum: ['session', 'customer', 'room', 'broadcast'], default: 'session' }),
      },
      [],
      { 'x-kubernetes-validations': [rule("self.source != 'field' || has(self.field)", 'routing.field is required when routing.source is field')] },
    ),
  },
  ['name'],
);
const auxTopic = (description: string): Schema => obj(description, topicCommon(3), ['name']);

const kafka = obj(
  'Kafka connection and the topics of this stream.',
  {
    bootstrapServers: { type: 'array', description: 'host:port of one or more brokers.', minItems: 1, maxItems: 32, items: str('host:port', { minLength: 1 }) },
    authSecretRef: secretRef('Secret with keys username, password and optional mechanism (plain, scram-sha-256, scram-sha-512).'),
    tls: bool('Connect to the brokers over TLS.', false),
    consumerGroup: str('Consumer group shared by the gateway fleet. Default: ces.<namespace>.<name>.'),
    topicManagement: str('create: the operator creates/expands topics; verify: it only checks them; strimzi: it emits KafkaTopic objects.', {
      enum: ['create', 'verify', 'strimzi'],
      default: 'create',
    }),
    strimziCluster: str('strimzi.io/cluster label for KafkaTopic objects (topicManagement strimzi).'),
    strimziNamespace: str('Namespace of the KafkaTopic objects. Default: the CesStream\'s namespace.'),
    topics: {
      type: 'array',
      description: 'Topics consumed and delivered to clients. Names are unique (list map keyed by name).',
      minItems: 1,
      maxItems: 64,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: topic,
    },
    inboundTopic: auxTopic('Topic client `publish` frames are produced to.'),
    dlqTopic: auxTopic('Dead-letter topic for undeliverable or invalid records.'),
  },
  ['bootstrapServers', 'topics'],
  {
    'x-kubernetes-validations': [
      rule("self.topicManagement != 'strimzi' || has(self.strimziCluster)", 'strimziCluster is required when topicManagement is strimzi', {
        fieldPath: '.strimziCluster',
      }),
      rule('!has(self.inboundTopic) || self.topics.all(t, t.name != self.inboundTopic.name)', 'inboundTopic.name must differ from every topic name'),
      rule('!has(self.dlqTopic) || self.topics.all(t, t.name != self.dlqTopic.name)', 'dlqTopic.name must differ from every topic name'),
      rule(
        '!has(self.dlqTopic) || !has(self.inboundTopic) || self.dlqTopic.name != self.inboundTopic.name',
        'dlqTopic.name must differ from inboundTopic.name',
      ),
    ],
  },
);

const redis = obj(
  'Shared state of the fleet (sessions, history, fan-out). Without it a single gateway runs on in-memory stores.',
  {
    url: str('redis://host:port without credentials.', { pattern: '^rediss?://' }),
    urlSecretRef: secretRef('Secret key holding the Redis URL (with credentials). Default key: url.'),
    mode: str('Redis topology.', { enum: ['standalone', 'cluster'], default: 'standalone' }),
  },
  [],
  { 'x-kubernetes-validations': [rule('has(self.url) != has(self.urlSecretRef)', 'exactly one of redis.url and redis.urlSecretRef is required')] },
);

const auth = obj(
  'How clients prove their session.',
  {
    mode: str('registry: sessions minted by POST /api/sessions; jwt: sessions carried in a signed JWT.', { enum: ['registry', 'jwt'], default: 'registry' }),
    jwtSecretRef: secretRef('Secret key with the HS256 secret (at least 32 bytes). Default key: secret.'),
    jwtPublicKeySecretRef: secretRef('Secret key with the RS256/ES256 public key (PEM). Default key: publicKey.'),
    jwksUrl: str('JWKS URL for RS256/ES256 tokens.', { pattern: '^https?://' }),
    apiTokenSecretRef: secretRef('Secret key with the backend API token. Default key: token.'),
  },
  [],
  {
    'x-kubernetes-validations': [
      rule("self.mode != 'jwt' || has(self.jwtSecretRef) || has(self.jwtPublicKeySecretRef) || has(self.jwksUrl)", 'auth.mode jwt requires jwtSecretRef, jwtPublicKeySecretRef or jwksUrl'),
    ],
  },
);

const gateway = obj(
  'The gateway fleet.',
  {
    image: str('Gateway container image.', { default: 'ghcr.io/ces/gateway:0.1.0', minLength: 1 }),
    replicas: int('Fixed pod count. Ignored under autoscaling: the HPA owns spec.replicas.', { minimum: 0, maximum: 1000, default: 2 }),
    autoscaling: obj(
      'HPA (autoscaling/v2) on CPU and connections per pod.',
      {
        minReplicas: int('Lower bound of pods.', { minimum: 1, maximum: 1000, default: 2 }),
        maxReplicas: int('Upper bound of pods.', { minimum: 1, maximum: 1000 }),
        cpuTargetPercent: int('Average CPU utilisation target, percent of the request.', { minimum: 1, maximum: 100, default: 70 }),
        connectionsPerPod: int('Average open WebSocket connections per pod.', { minimum: 1, default: 1000 }),
      },
      ['maxReplicas'],
      { 'x-kubernetes-validations': [rule('self.maxReplicas >= self.minReplicas', 'autoscaling.maxReplicas must be >= minReplicas', { fieldPath: '.maxReplicas' })] },
    ),
    resources: obj('Container resources (Kubernetes quantities).', {
      requests: stringMap('e.g. cpu: 250m, memory: 256Mi', 8),
      limits: stringMap('e.g. memory: 512Mi', 8),
    }),
    session: obj('Session and connection settings.', {
      ttlSeconds: int('Lifetime of a disconnected session and its buffer.', { minimum: 10, default: 3600 }),
      heartbeatIntervalMs: int('WebSocket ping interval.', { minimum: 1000, maximum: 300000, default: 25000 }),
      outboundBufferBytes: int('Bound of each connection\'s outbound queue; over it the client is closed as slow.', {
        minimum: 1024,
        default: 1048576,
      }),
      drainGraceSeconds: int('Time a gateway gets on SIGTERM to close sockets with the reconnect code and commit.', { minimum: 1, maximum: 600, default: 10 }),
      maxSessions: int('Live sessions allowed at once; more get 503.', { minimum: 1, default: 100000 }),
    }),
    ingress: obj(
      'Ingress in front of the fleet.',
      {
        host: str('Public host name.', { minLength: 1 }),
        className: str('IngressClass name.'),
        tlsSecretName: str('Secret with the TLS certificate for host.'),
        timeoutSeconds: int('Proxy read/send timeout; must exceed the heartbeat interval.', { minimum: 60, default: 3600 }),
      },
      ['host'],
    ),
    allowedOrigins: { type: 'array', description: 'Origins allowed to open WebSockets; empty allows any.', maxItems: 64, items: str('Origin') },
    publicUrl: str('Public base URL (https://...) used to build websocketUrl. Default: from the ingress host.', { pattern: '^https?://' }),
  },
  [],
  { default: {} },
);

const monitoring = obj('Grafana dashboards and alert rules.', {
  dashboards: bool('Provision Grafana dashboards (ConfigMaps labelled grafana_dashboard).', true),
  alerts: bool('Provision alert rules (Grafana ConfigMap, PrometheusRule, GrafanaAlertRuleGroup when installed).', true),
  namespace: str('Namespace the Grafana sidecar watches. Default: the operator\'s monitoring namespace.'),
  thresholds: obj('Alert thresholds.', {
    consumerLagRecords: int('Consumer lag alert threshold, records per topic.', { minimum: 1, default: 100000 }),
    errorRatePercent: num('Delivery error rate alert threshold, percent.', { minimum: 0, maximum: 100, default: 1 }),
    deliveryP95Seconds: num('Kafka-to-socket p95 latency alert threshold, seconds.', { minimum: 0, default: 0.1 }),
  }),
  ruleLabels: stringMap('Labels for PrometheusRule objects (match the Prometheus ruleSelector).', 16),
});

const spec = obj(
  'Desired state of one event stream: Kafka topics, the gateway fleet, autoscaling and monitoring.',
  {
    kafka,
    redis,
    auth,
    gateway,
    monitoring,
    deletionPolicy: str('Retain keeps the Kafka topics when the CesStream is deleted; Delete removes them.', {
      enum: ['Retain', 'Delete'],
      default: 'Retain',
    }),
  },
  ['kafka'],
  {
    'x-kubernetes-validations': [
      rule(
        '!has(self.gateway) || has(self.redis) || (!has(self.gateway.autoscaling) && (!has(self.gateway.replicas) || self.gateway.replicas <= 1))',
        'redis is required when the fleet runs more than one gateway (replicas > 1 or autoscaling)',
        { fieldPath: '.redis' },
      ),
    ],
  },
);

const condition = obj(
  'metav1.Condition',
  {
    type: str('Ready, TopicsReady, GatewayReady, AutoscalingReady or AlertsReady.', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('CamelCase reason.', { maxLength: 1024 }),
    message: str('Human-readable detail.', { maxLength: 32768 }),
    observedGeneration: { type: 'integer', format: 'int64', description: 'Generation the condition was computed from.' },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
  },
  ['type', 'status', 'reason', 'lastTransitionTime'],
);

const status = obj('Observed state, written by the operator once per reconcile pass.', {
  observedGeneration: { type: 'integer', format: 'int64', description: 'Generation of the last fully successful reconcile.' },
  conditions: {
    type: 'array',
    description: 'Ready summarises TopicsReady, GatewayReady, AutoscalingReady and AlertsReady.',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    items: condition,
  },
  replicas: int('Desired gateway pods.'),
  readyReplicas: int('Ready gateway pods.'),
  endpoint: str('WebSocket endpoint clients connect to.', { maxLength: 2048 }),
  consumerGroup: str('Consumer group the fleet uses.'),
  topics: {
    type: 'array',
    description: 'Per-topic state.',
    items: obj(
      'One topic.',
      {
        name: str('Topic name.'),
        state: str('Ready, Pending, Missing, ShrinkRefused, Mismatch or Error.'),
        partitions: int('Partitions in Kafka.'),
        message: str('Detail.', { maxLength: 4096 }),
      },
      ['name', 'state'],
    ),
  },
  summary: obj('Printer-column summaries.', { replicas: str('ready/desired pods.'), topics: str('ready/total topics.') }),
});

/** The CustomResourceDefinition object for `cesstreams.ces.io`. */
export function cesStreamCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CrdName, labels: { 'app.kubernetes.io/name': 'ces-operator', 'app.kubernetes.io/part-of': 'ces' } },
    spec: {
      group: Group,
      scope: 'Namespaced',
      names: { plural: Plural, singular: 'cesstream', kind: Kind, listKind: `${Kind}List`, shortNames: ['ces'], categories: ['all', 'ces'] },
      versions: [
        {
          name: Version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Ready condition.' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1, description: 'Why (not) ready.' },
            { name: 'Replicas', type: 'string', jsonPath: '.status.summary.replicas', description: 'Ready/desired gateway pods.' },
            { name: 'Topics', type: 'string', jsonPath: '.status.summary.topics', description: 'Ready/total Kafka topics.' },
            { name: 'Endpoint', type: 'string', jsonPath: '.status.endpoint', description: 'WebSocket endpoint.' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: obj('CesStream: Kafka topics delivered to WebSocket clients by an autoscaled gateway fleet.', {
              apiVersion: { type: 'string', description: 'API version.' },
              kind: { type: 'string', description: 'Kind.' },
              metadata: { type: 'object' },
              spec,
              status,
            }, ['spec'], {
              'x-kubernetes-validations': [
                rule(
                  "self.metadata.name.size() <= 39 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
                  'metadata.name must be a DNS-1035 label of at most 39 characters (child objects are named <name>-gateway)',
                ),
              ],
            }),
          },
        },
      ],
    },
  };
}
