/**
 * `Cluster` on @kubernetes/client-node — the only module importing it (lint-enforced).
 *
 * Requests go through `KubeConfig.applyToHTTPSOptions` (token/cert/CA from the kubeconfig) with
 * explicit content types, because the typed clients pick JSON Patch by default and their model
 * (de)serialisers drop fields they do not know. Watches and the informer cache are client-node's
 * `makeInformer` (it relists on 410 Gone by itself; other errors stop it and `informers.ts`
 * restarts it with backoff). Kind → resource mapping uses API discovery, cached per group/version
 * (a CRD installed later is picked up: misses are not cached).
 */
import https from 'node:https';
import http from 'node:http';
import { KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError } from './cluster.ts';
import type { Cluster, Informer, InformerOptions, KubeEvent, KubeObject, ObjectRef } from './cluster.ts';

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
}

interface Response {
  readonly status: number;
  readonly body: unknown;
}

/** Loads a kubeconfig: a file path, or in-cluster / $KUBECONFIG / ~/.kube/config when empty. */
export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export class KubeCluster implements Cluster {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #resources = new Map<string, Map<string, ApiResource>>();

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('Kubeconfig has no current cluster');
    this.#server = new URL(cluster.server);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const res = await this.#request('GET', await this.#path(ref), undefined, undefined, [404]);
    return res.status === 404 ? undefined : (res.body as KubeObject);
  }

  async list(apiVersion: string, kind: string, options: InformerOptions = {}): Promise<KubeObject[]> {
    const path = await this.#collectionPath(apiVersion, kind, options.namespace);
    const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
    const res = await this.#request('GET', path + query);
    const items = (res.body as { items?: KubeObject[] }).items ?? [];
    // Lists omit apiVersion/kind on items; callers compare objects by them.
    return items.map((item) => ({ ...item, apiVersion, kind }));
  }

  async apply(obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    const path = `${await this.#path(obj)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    const res = await this.#request('PATCH', path, obj, 'application/apply-patch+yaml');
    return res.body as KubeObject;
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    const res = await this.#request('PATCH', await this.#path(ref), patch, 'application/merge-patch+json');
    return res.body as KubeObject;
  }

  async patchStatus(ref: ObjectRef, status: Record<string, unknown>): Promise<void> {
    await this.#request('PATCH', `${await this.#path(ref)}/status`, { status }, 'application/merge-patch+json');
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const res = await this.#request('POST', await this.#collectionPath(obj.apiVersion, obj.kind, obj.metadata.namespace), obj);
    return res.body as KubeObject;
  }

  async replace(obj: KubeObject): Promise<KubeObject> {
    const res = await this.#request('PUT', await this.#path(obj), obj);
    return res.body as KubeObject;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };
    const res = await this.#request('DELETE', await this.#path(ref), body, undefined, [404]);
    return res.status !== 404;
  }

  async served(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.#resource(apiVersion, kind)) !== undefined;
  }

  async recordEvent(event: KubeEvent, reportingController: string, reportingInstance: string): Promise<void> {
    const { regarding } = event;
    const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    const namespace = regarding.metadata.namespace ?? 'default';
    await this.create({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${regarding.metadata.name}.${Date.now().toString(16)}${Math.random().toString(16).slice(2, 6)}`, namespace },
      eventTime: now,
      type: event.type,
      reason: event.reason,
      note: event.message.slice(0, 1024),
      action: event.action,
      reportingController,
      reportingInstance: reportingInstance.slice(0, 128),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: regarding.metadata.name,
        namespace,
        uid: regarding.metadata.uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
    });
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.get({ apiVersion: 'v1', kind: 'Secret', namespace, name });
    if (!secret) return undefined;
    const data = (secret.data ?? {}) as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  informer(apiVersion: string, kind: string, options: InformerOptions = {}): Informer {
    // The path is resolved lazily in start(): discovery of a just-installed CRD may lag.
    let inner: ReturnType<typeof makeInformer<KubernetesObject>> | undefined;
    const changeHandlers: ((obj: KubeObject) => void)[] = [];
    const errorHandlers: ((err: unknown) => void)[] = [];
    return {
      onChange: (handler) => changeHandlers.push(handler),
      onError: (handler) => errorHandlers.push(handler),
      start: async () => {
        if (!inner) {
          const path = await this.#collectionPath(apiVersion, kind, options.namespace);
          const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
            const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
            return (await this.#request('GET', path + query)).body as KubernetesListObject<KubernetesObject>;
          };
          inner = makeInformer(this.#kc, path, listFn, options.labelSelector);
          const emit = (obj: KubernetesObject) => changeHandlers.forEach((h) => h({ ...(obj as KubeObject), apiVersion, kind }));
          inner.on('change', emit);
          inner.on('error', (err) => errorHandlers.forEach((h) => h(err)));
        }
        await inner.start();
      },
      stop: async () => {
        await inner?.stop();
      },
    };
  }

  async #resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const cached = this.#resources.get(apiVersion)?.get(kind);
    if (cached) return cached;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.#request('GET', base, undefined, undefined, [404, 503]);
    if (res.status !== 200) return undefined;
    const list = res.body as { resources?: { name: string; kind: string; namespaced: boolean }[] };
    const byKind = new Map<string, ApiResource>();
    for (const r of list.resources ?? []) if (!r.name.includes('/')) byKind.set(r.kind, { name: r.name, namespaced: r.namespaced });
    this.#resources.set(apiVersion, byKind);
    return byKind.get(kind);
  }

  #forgetResource(path: string): void {
    const match = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\//.exec(path);
    const apiVersion = match?.[1] ?? match?.[2];
    if (apiVersion) this.#resources.delete(apiVersion);
  }

  async #collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    const resource = await this.#resource(apiVersion, kind);
    if (!resource) throw new KubeApiError(404, 'NotFound', `${kind} (${apiVersion}) is not served by the API server`);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${resource.name}`;
  }

  async #path(ref: ObjectRef | KubeObject): Promise<string> {
    const name = 'metadata' in ref ? ref.metadata.name : ref.name;
    const namespace = 'metadata' in ref ? ref.metadata.namespace : ref.namespace;
    return `${await this.#collectionPath(ref.apiVersion, ref.kind, namespace)}/${encodeURIComponent(name)}`;
  }

  async #request(method: string, path: string, body?: unknown, contentType = 'application/json', allowed: number[] = []): Promise<Response> {
    const options: https.RequestOptions = {
      method,
      protocol: this.#server.protocol,
      hostname: this.#server.hostname,
      port: this.#server.port,
      path: `${this.#server.pathname.replace(/\/$/, '')}${path}`,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
      timeout: 30_000,
    };
    await this.#kc.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await send(this.#server.protocol === 'https:' ? https.request : http.request, options, payload);
    if (res.status >= 200 && res.status < 300) return res;
    if (allowed.includes(res.status)) return res;
    const status = res.body as { reason?: string; message?: string; details?: { name?: string } } | undefined;
    // A 404 naming no object means the resource type itself is gone (its CRD was deleted):
    // forget the discovery entry so the next pass asks again instead of failing forever.
    if (res.status === 404 && !status?.details?.name) this.#forgetResource(path);
    throw new KubeApiError(res.status, status?.reason ?? 'Unknown', `${method} ${path}: ${res.status} ${status?.message ?? ''}`.trim());
  }
}

function send(request: typeof https.request, options: https.RequestOptions, payload: string | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = { message: text.slice(0, 512) };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${options.method} ${options.path}: request timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
