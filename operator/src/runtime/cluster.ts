/**
 * The operator's port to the Kubernetes API. `kube.ts` implements it on @kubernetes/client-node
 * (the only place that imports it); controllers and tests of pure logic see only this interface.
 */

/** Any Kubernetes object, as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  creationTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[];
}

/** Identifies one object. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** A watch-backed cache of one kind; emits every add/update/delete as `change`. */
export interface Informer {
  onChange(handler: (obj: KubeObject) => void): void;
  /** Called when the informer stops on an error other than 410 (which it handles by relisting). */
  onError(handler: (err: unknown) => void): void;
  /** Resolves after the initial list; the watch continues in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface InformerOptions {
  /** Omit for all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
}

export interface KubeEvent {
  readonly regarding: KubeObject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly action: string;
}

export interface Cluster {
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, options?: InformerOptions): Promise<KubeObject[]>;
  /** Server-side apply (`application/apply-patch+yaml`) with this field manager, forcing conflicts. */
  apply(obj: KubeObject, fieldManager: string): Promise<KubeObject>;
  /** JSON merge patch of the main resource (finalizers); include resourceVersion for optimistic concurrency. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject>;
  /** JSON merge patch of the `/status` subresource. */
  patchStatus(ref: ObjectRef, status: Record<string, unknown>): Promise<void>;
  create(obj: KubeObject): Promise<KubeObject>;
  /** Replace with optimistic concurrency (metadata.resourceVersion). */
  replace(obj: KubeObject): Promise<KubeObject>;
  /** Returns false when the object was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** Whether the API server serves this kind (discovery); CRD-backed kinds may come and go. */
  served(apiVersion: string, kind: string): Promise<boolean>;
  recordEvent(event: KubeEvent, reportingController: string, reportingInstance: string): Promise<void>;
  informer(apiVersion: string, kind: string, options?: InformerOptions): Informer;
  /** Secret data, decoded. Undefined when missing. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** An API error with the HTTP status; 409/429/5xx and network errors are worth retrying. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string;
  constructor(statusCode: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 409;
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }),
  };
}
