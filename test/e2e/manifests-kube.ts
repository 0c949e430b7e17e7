/**
 * Helpers for the manifest validity tests: run `helm`, and ask the REAL kube-apiserver to accept
 * objects with a server-side dry run (server-side apply, `dryRun=All`: full admission — schema,
 * defaulting, CEL rules, RBAC escalation checks — without persisting anything). Apply rather than
 * create, so objects that already exist (shared CRDs, ClusterRoles) are checked the same way.
 * Raw REST on purpose: client-node's typed serializer drops keys it does not model (x-kubernetes-*).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const FIELD_MANAGER = 'ces-manifests-test';

/** A manifest as YAML/JSON has it (raw: typed client models would drop `x-kubernetes-*` keys). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export async function helm(bin: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(bin, args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: '/tmp/ces-helm-cache', HELM_CONFIG_HOME: '/tmp/ces-helm-config', HELM_DATA_HOME: '/tmp/ces-helm-data' } });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null && typeof d === 'object' && typeof d.kind === 'string');
}

export class KubeError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Raw REST against the API server: discovery for kind → resource, and server-side apply. */
export class Cluster {
  readonly #server: string;
  readonly #token: string;
  readonly #ca: string | undefined;
  readonly #resources = new Map<string, Promise<Map<string, Resource>>>();

  constructor(kube: { server: string; token: string; caFile?: string }) {
    this.#server = kube.server;
    this.#token = kube.token;
    this.#ca = kube.caFile ? readFileSync(kube.caFile, 'utf8') : undefined;
  }

  /** Server-side dry run (apply, `dryRun=All`); resolves to the object as the server would store it. */
  async dryRun(obj: Manifest): Promise<Manifest> {
    try {
      return await this.#apply(obj, true);
    } catch (err) {
      throw new Error(`API server rejected ${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}: ${(err as Error).message}`);
    }
  }

  /** A real (persisted) apply: namespaces and the shared CRD a test needs. */
  async apply(obj: Manifest): Promise<Manifest> {
    return this.#apply(obj, false);
  }

  async delete(obj: Manifest): Promise<void> {
    await this.#request('DELETE', await this.#path(obj)).catch(() => undefined);
  }

  /** Whether the API server serves a kind (e.g. ServiceMonitor needs prometheus-operator's CRD). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.#discover(apiVersion).catch(() => new Map<string, Resource>())).has(kind);
  }

  async #apply(obj: Manifest, dryRun: boolean): Promise<Manifest> {
    const query = `?fieldManager=${FIELD_MANAGER}&force=true${dryRun ? '&dryRun=All' : ''}`;
    return JSON.parse(await this.#request('PATCH', `${await this.#path(obj)}${query}`, JSON.stringify(obj))) as Manifest;
  }

  async #path(obj: Manifest): Promise<string> {
    const resource = (await this.#discover(obj.apiVersion)).get(obj.kind);
    if (!resource) throw new Error(`the API server does not serve ${obj.apiVersion} ${obj.kind}`);
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata?.namespace ?? 'default')}` : '';
    return `${base}${ns}/${resource.plural}/${encodeURIComponent(obj.metadata?.name ?? '')}`;
  }

  #discover(apiVersion: string): Promise<Map<string, Resource>> {
    let found = this.#resources.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.#request('GET', path).then((text) => {
        const list = JSON.parse(text) as { resources: { name: string; kind: string; namespaced: boolean }[] };
        return new Map(list.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]));
      });
      found.catch(() => this.#resources.delete(apiVersion));
      this.#resources.set(apiVersion, found);
    }
    return found;
  }

  #request(method: string, path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.#server), {
        method,
        ...(this.#ca ? { ca: this.#ca } : { rejectUnauthorized: false }),
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/apply-patch+yaml', 'content-length': Buffer.byteLength(body) }),
        },
        timeout: 15_000,
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(text);
          let message = text;
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? text;
          } catch { /* not JSON */ }
          reject(new KubeError(`${method} ${path}: ${status} ${message}`, status));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

export function namespaceObject(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'ces.io/test': 'manifests' } } };
}
