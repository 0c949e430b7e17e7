/**
 * How tests find the real infrastructure that `test/run.ts` (or `npm run infra -- up`) started.
 * The provisioning side lives in test/infra/; it writes the state file this module reads.
 *
 * Usage in a test file:
 *   const kafka = needs('kafka');               // skip reason or the endpoint, see below
 *   describe('...', { skip: kafka.skip }, () => { ... kafka.value!.brokers ... });
 *
 * Under CI=true a missing component throws (the run fails with the reason); locally the suite
 * is skipped with a loud one-line reason.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface InfraState {
  kafka?: { brokers: string[] };
  redis?: { url: string; host: string; port: number };
  redisCluster?: { nodes: { host: string; port: number }[] };
  kube?: {
    server: string;
    /** Bearer token of a system:masters user. */
    token: string;
    /** Path of a kubeconfig file for that user (server + token, insecure-skip-tls-verify or CA). */
    kubeconfigPath: string;
    /** PEM of the API server's serving CA (empty when insecure). */
    caFile?: string;
    /** Extra bearer tokens provisioned for RBAC tests: user name → token. Users are in group `ces:test`. */
    users: Record<string, string>;
  };
  prometheus?: { bin: string; promtool: string };
  helm?: { bin: string };
  /** Components that failed to start, with the reason. */
  errors: Record<string, string>;
}

export type Component = 'kafka' | 'redis' | 'redisCluster' | 'kube' | 'prometheus' | 'helm';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The state file; CES_INFRA_STATE overrides (the runner sets it for its child processes). */
export function stateFile(): string {
  return process.env.CES_INFRA_STATE ?? path.join(repoRoot, '.ces', 'infra', 'state.json');
}

let cached: InfraState | undefined;
export function readInfra(): InfraState {
  if (cached) return cached;
  try {
    cached = JSON.parse(readFileSync(stateFile(), 'utf8')) as InfraState;
  } catch {
    cached = { errors: { all: `no infra state at ${stateFile()}: run "npm test" or "npm run infra -- up"` } };
  }
  return cached;
}

/**
 * Looks up one component. `skip` is false when it is available; otherwise (locally) a reason
 * string for node:test's `{ skip }`. Under CI=true an unavailable component throws.
 */
export function needs<C extends Component>(component: C): { skip: string | false; value: NonNullable<InfraState[C]> | undefined } {
  const state = readInfra();
  const value = state[component] as NonNullable<InfraState[C]> | undefined;
  if (value) return { skip: false, value };
  const reason = `infrastructure "${component}" unavailable: ${state.errors[component] ?? state.errors.all ?? 'not started'}`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`SKIP ${reason}`);
  return { skip: reason, value: undefined };
}

/** A name unique to this test run: topics, consumer groups, Redis key prefixes, namespaces. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
