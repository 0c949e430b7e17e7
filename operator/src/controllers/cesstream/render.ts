/**
 * render(cr, options) → every object the CesStream should own, as plain manifests. Pure: no API
 * calls, same input → same output (snapshot-tested). The fleet comes from the cdk8s construct the
 * Helm chart also uses; this adds owner labels on everything, a controller owner reference on
 * same-namespace objects (cross-namespace ones are label-tracked and removed by the finalizer),
 * the monitoring objects, and Strimzi KafkaTopics in strimzi mode.
 */
import { renderGatewayFleet } from '@ces/cdk8s/gateway-fleet';
import type { GatewayFleetProps } from '@ces/cdk8s/gateway-fleet';
import { ApiVersion, Kind } from '@ces/contracts/crd/v1alpha1';
import type { CesStream } from '@ces/contracts/crd/v1alpha1';
import type { KubeObject } from '../../runtime/cluster.ts';
import { TerminalError } from '../../runtime/result.ts';
import { GatewayHttpPort, drainGraceSeconds, gatewayConfig } from './gateway-config.ts';
import { renderMonitoring } from './monitoring.ts';
import { fleetName, ownerLabels } from './names.ts';
import { desiredTopics } from './topic-plan.ts';

/** What the cluster can do, found through discovery before rendering. */
export interface RenderOptions {
  readonly monitoringNamespace: string;
  readonly datasourceUid: string;
  readonly prometheusRule: boolean;
  readonly grafanaAlertRuleGroup: boolean;
  /** Served KafkaTopic version (`kafka.strimzi.io/v1`, else `v1beta2`); undefined when Strimzi is absent. */
  readonly kafkaTopicApiVersion?: string;
}

export function render(cr: CesStream, options: RenderOptions): KubeObject[] {
  const labels = ownerLabels(cr);
  const objects = [
    ...renderFleet(cr, labels),
    ...renderMonitoring(cr, labels, options),
    ...renderKafkaTopics(cr, labels, options.kafkaTopicApiVersion),
  ];
  return objects.map((obj) => withOwner(cr, obj));
}

/** Props of the shared GatewayFleet construct for this CesStream. */
export function fleetProps(cr: CesStream, labels: Record<string, string>): GatewayFleetProps {
  const gw = cr.spec.gateway;
  const { config, secretEnv } = gatewayConfig(cr);
  const a = gw.autoscaling;
  return {
    name: fleetName(cr),
    namespace: cr.metadata.namespace,
    image: gw.image,
    config,
    secretEnv,
    replicas: gw.replicas,
    ...(a
      ? { autoscaling: { minReplicas: a.minReplicas ?? 2, maxReplicas: a.maxReplicas, cpuTargetPercent: a.cpuTargetPercent ?? 70, connectionsPerPod: a.connectionsPerPod ?? 1000 } }
      : {}),
    ...(gw.resources
      ? { resources: { ...(gw.resources.requests ? { requests: gw.resources.requests as Record<'cpu' | 'memory', string> } : {}), ...(gw.resources.limits ? { limits: gw.resources.limits } : {}) } }
      : {}),
    httpPort: GatewayHttpPort,
    ...(gw.ingress
      ? {
          ingress: {
            host: gw.ingress.host,
            ...(gw.ingress.className ? { className: gw.ingress.className } : {}),
            ...(gw.ingress.tlsSecretName ? { tlsSecretName: gw.ingress.tlsSecretName } : {}),
            timeoutSeconds: gw.ingress.timeoutSeconds ?? 3600,
          },
        }
      : {}),
    drainGraceSeconds: drainGraceSeconds(cr),
    labels,
    podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(GatewayHttpPort), 'prometheus.io/path': '/metrics' },
  };
}

function renderFleet(cr: CesStream, labels: Record<string, string>): KubeObject[] {
  try {
    return renderGatewayFleet(fleetProps(cr, labels)) as unknown as KubeObject[];
  } catch (err) {
    if (err instanceof RangeError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
}

function renderKafkaTopics(cr: CesStream, labels: Record<string, string>, apiVersion: string | undefined): KubeObject[] {
  const kafka = cr.spec.kafka;
  if (kafka.topicManagement !== 'strimzi' || !apiVersion) return [];
  const namespace = kafka.strimziNamespace ?? cr.metadata.namespace;
  return desiredTopics(cr).map((t) => ({
    apiVersion,
    kind: 'KafkaTopic',
    metadata: {
      // KafkaTopic names are DNS names; the Kafka name goes in spec.topicName.
      name: `${cr.metadata.name}-${t.name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 253).replace(/-+$/, ''),
      namespace,
      labels: { ...labels, 'strimzi.io/cluster': kafka.strimziCluster ?? '' },
    },
    spec: {
      topicName: t.name,
      partitions: t.partitions,
      ...(t.replicationFactor === undefined ? {} : { replicas: t.replicationFactor }),
      ...(Object.keys(t.config).length > 0 ? { config: t.config } : {}),
    },
  }));
}

/**
 * Same-namespace objects get a controller owner reference (garbage-collected with the CesStream).
 * KafkaTopics never do: with deletionPolicy Retain the topic must outlive the CesStream, and
 * Strimzi deletes the Kafka topic when its KafkaTopic goes.
 */
function withOwner(cr: CesStream, obj: KubeObject): KubeObject {
  if (obj.metadata.namespace !== cr.metadata.namespace || obj.kind === 'KafkaTopic' || !cr.metadata.uid) return obj;
  const owner = { apiVersion: ApiVersion, kind: Kind, name: cr.metadata.name, uid: cr.metadata.uid, controller: true, blockOwnerDeletion: true };
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [owner] } };
}
