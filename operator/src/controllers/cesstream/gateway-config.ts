/**
 * The gateway config file written into the fleet's ConfigMap, in the gateway's own schema
 * (`gateway/src/config/`: a test loads the rendered file with the gateway's loader). Secrets
 * never enter the file: they reach the pods as env vars from Secret keys (`secretEnv`).
 */
import type { CesStream, TopicSpec } from '@ces/contracts/crd/v1alpha1';
import type { SecretEnvVar } from '@ces/cdk8s/gateway-fleet';
import { TerminalError } from '../../runtime/result.ts';
import { consumerGroup } from './names.ts';

export const GatewayHttpPort = 8080;

export interface GatewayConfigParts {
  readonly config: Record<string, unknown>;
  readonly secretEnv: SecretEnvVar[];
  readonly env: Record<string, string>;
}

export function gatewayConfig(cr: CesStream): GatewayConfigParts {
  const { kafka, gateway } = cr.spec;
  const session = gateway.session;
  const ns = cr.metadata.namespace;
  const config: Record<string, unknown> = {
    // The `stream` label of every gateway series; dashboards and alerts select on it.
    stream: { name: cr.metadata.name },
    http: { port: GatewayHttpPort, ...(gateway.publicUrl ? { publicUrl: gateway.publicUrl } : publicUrlFromIngress(cr)) },
    // A spec URL carries no credentials (CRD contract); one with credentials comes from a Secret.
    redis: {
      mode: cr.spec.redis?.mode ?? 'standalone',
      keyPrefix: `ces:${ns}:${cr.metadata.name}`,
      ...(cr.spec.redis?.url ? { url: cr.spec.redis.url } : {}),
    },
    auth: { mode: cr.spec.auth?.mode ?? 'registry', ...(cr.spec.auth?.jwksUrl ? { jwksUrl: cr.spec.auth.jwksUrl } : {}) },
    session: { ttlSeconds: session?.ttlSeconds ?? 3600, max: session?.maxSessions ?? 100000 },
    ws: {
      heartbeatIntervalMs: session?.heartbeatIntervalMs ?? 25000,
      outboundQueueMaxBytes: session?.outboundBufferBytes ?? 1048576,
      allowedOrigins: [...(gateway.allowedOrigins ?? [])],
      drainGraceMs: drainGraceSeconds(cr) * 1000,
    },
    kafka: {
      brokers: [...kafka.bootstrapServers],
      topics: kafka.topics.map((t) => t.name),
      groupId: consumerGroup(cr),
      clientId: `ces-gateway.${ns}.${cr.metadata.name}`,
      // A JSON string, not a nested object: convict would treat object keys as schema paths.
      topicSettings: JSON.stringify(Object.fromEntries(kafka.topics.map((t) => [t.name, topicSettings(t)]))),
      ssl: kafka.tls ?? false,
      ...(kafka.dlqTopic ? { dlqTopic: kafka.dlqTopic.name } : {}),
      ...(kafka.inboundTopic ? { inboundTopic: kafka.inboundTopic.name } : {}),
    },
  };
  return { config, secretEnv: secretEnv(cr), env: {} };
}

export function drainGraceSeconds(cr: CesStream): number {
  return cr.spec.gateway.session?.drainGraceSeconds ?? 10;
}

function publicUrlFromIngress(cr: CesStream): Record<string, string> {
  const ingress = cr.spec.gateway.ingress;
  if (!ingress) return {};
  return { publicUrl: `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}` };
}

function topicSettings(topic: TopicSpec): Record<string, unknown> {
  const routing = topic.routing ?? { source: 'headers' as const };
  return {
    format: topic.format ?? 'json',
    routing: { source: routing.source, target: routing.target ?? 'session', ...(routing.field ? { field: routing.field } : {}) },
    ...(topic.schema ? { schema: parseSchema(topic) } : {}),
  };
}

function parseSchema(topic: TopicSpec): object {
  try {
    const schema: unknown = JSON.parse(topic.schema ?? '');
    if (schema && typeof schema === 'object' && !Array.isArray(schema)) return schema;
  } catch {
    // reported below
  }
  throw new TerminalError(`spec.kafka.topics[${topic.name}].schema is not a JSON object`);
}

function secretEnv(cr: CesStream): SecretEnvVar[] {
  const out: SecretEnvVar[] = [];
  const add = (name: string, ref: { name: string; key?: string } | undefined, defaultKey: string, optional = false) => {
    if (ref) out.push({ name, secretName: ref.name, key: ref.key ?? defaultKey, optional });
  };
  const kafkaAuth = cr.spec.kafka.authSecretRef;
  add('CES_KAFKA_SASL_USERNAME', kafkaAuth && { name: kafkaAuth.name }, 'username');
  add('CES_KAFKA_SASL_PASSWORD', kafkaAuth && { name: kafkaAuth.name }, 'password');
  add('CES_KAFKA_SASL_MECHANISM', kafkaAuth && { name: kafkaAuth.name }, 'mechanism', true);
  add('CES_REDIS_URL', cr.spec.redis?.urlSecretRef, 'url');
  add('CES_AUTH_JWT_SECRET', cr.spec.auth?.jwtSecretRef, 'secret');
  add('CES_AUTH_JWT_PUBLIC_KEY', cr.spec.auth?.jwtPublicKeySecretRef, 'publicKey');
  add('CES_API_TOKEN', cr.spec.auth?.apiTokenSecretRef, 'token');
  return out;
}
