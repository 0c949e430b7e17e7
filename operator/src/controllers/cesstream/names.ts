/**
 * Names and labels of everything the operator creates for a CesStream. Every object carries the
 * owner labels, which is how prune and the finalizer find objects — including cross-namespace ones,
 * which cannot have owner references.
 */
import type { CesStream } from '@ces/contracts/crd/v1alpha1';

export const ManagedBy = 'ces-operator';
export const LabelManagedBy = 'app.kubernetes.io/managed-by';
export const LabelStreamName = 'ces.io/stream-name';
export const LabelStreamNamespace = 'ces.io/stream-namespace';

/** Labels every rendered object carries. */
export function ownerLabels(cr: CesStream): Record<string, string> {
  return {
    [LabelManagedBy]: ManagedBy,
    'app.kubernetes.io/part-of': 'ces',
    [LabelStreamName]: cr.metadata.name,
    [LabelStreamNamespace]: cr.metadata.namespace,
  };
}

/** Label selector matching every object rendered for this CesStream. */
export function ownerSelector(cr: { metadata: { name: string; namespace: string } }): string {
  return `${LabelManagedBy}=${ManagedBy},${LabelStreamName}=${cr.metadata.name},${LabelStreamNamespace}=${cr.metadata.namespace}`;
}

/** Base name of the fleet objects (Deployment, Service, ...): `<name>-gateway`. */
export function fleetName(cr: CesStream): string {
  return `${cr.metadata.name}-gateway`;
}

export function consumerGroup(cr: CesStream): string {
  return cr.spec.kafka.consumerGroup ?? `ces.${cr.metadata.namespace}.${cr.metadata.name}`;
}

/** Where clients connect: the public URL, the ingress host, or the in-cluster Service. */
export function endpoint(cr: CesStream): string {
  const gw = cr.spec.gateway;
  if (gw.publicUrl) return `${gw.publicUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`;
  if (gw.ingress) return `${gw.ingress.tlsSecretName ? 'wss' : 'ws'}://${gw.ingress.host}/ws`;
  return `ws://${fleetName(cr)}.${cr.metadata.namespace}.svc:80/ws`;
}

/** Namespace of the Grafana sidecar ConfigMaps. */
export function monitoringNamespace(cr: CesStream, operatorDefault: string): string {
  return cr.spec.monitoring?.namespace ?? operatorDefault;
}

/** Name of per-stream monitoring objects; unique across namespaces (they may share one). */
export function monitoringName(cr: CesStream, suffix: string): string {
  return `ces-${cr.metadata.namespace}-${cr.metadata.name}-${suffix}`.slice(0, 253);
}
