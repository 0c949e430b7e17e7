/**
 * Helpers for the manifest validity tests: run `helm`, and ask the REAL kube-apiserver to accept
 * objects with a server-side dry run (server-side apply, `dryRun=All`: full admission — schema,
 * defaulting, CEL rules, RBAC escalation checks — without persisting anything). Apply rather than
 * create, so objects that already exist (shared CRDs, ClusterRoles) are checked the same way.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const FIELD_MANAGER = 'ces-manifests-test';

export type Manifest = KubernetesObject & Record<string, unknown>;

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

export class Cluster {
  readonly api: KubernetesObjectApi;
  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  /** Server-side dry run; resolves to the object as the API server would store it. */
  async dryRun(obj: Manifest): Promise<Manifest> {
    try {
      return (await this.api.patch(obj, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as Manifest;
    } catch (err) {
      throw new Error(`API server rejected ${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}: ${describe(err)}`);
    }
  }

  /** A real (persisted) apply: namespaces and the shared CRD a test needs. */
  async apply(obj: Manifest): Promise<Manifest> {
    return (await this.api.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as Manifest;
  }

  async delete(obj: Manifest): Promise<void> {
    await this.api.delete(obj).catch(() => undefined);
  }

  /** Whether the API server serves a kind (e.g. ServiceMonitor needs prometheus-operator's CRD). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      await this.api.list(apiVersion, kind);
      return true;
    } catch {
      return false;
    }
  }
}

function describe(err: unknown): string {
  const e = err as { body?: unknown; message?: string };
  if (e.body !== undefined) return typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
  return e.message ?? String(err);
}

export function namespaceObject(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'ces.io/test': 'manifests' } } };
}
