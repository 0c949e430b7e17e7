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
import { isOwnedAlive } from '../infra/procs.ts';

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
  /**
   * The server processes behind each running component (pid + a string in its command line), so a
   * test can tell a server that died after state.json was written from one that is up.
   */
  processes?: Partial<Record<Component, { pid: number; marker: string }[]>>;
}

export type Component = 'kafka' | 'redis' | 'redisCluster' | 'kube' | 'prometheus' | 'helm';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The state file; CES_INFRA_STATE overrides (the runner sets it for its child processes). */
export function stateFile(): string {
  return process.env.CES_INFRA_STATE ?? path.join(repoRoot, '.ces', 'infra', 'state.json');
}

/** Read once per process and state file (a test pointing CES_INFRA_STATE elsewhere gets that file). */
let cached: { file: string; state: InfraState } | undefined;
export function readInfra(): InfraState {
  const file = stateFile();
  if (cached?.file === file) return cached.state;
  let state: InfraState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as InfraState;
  } catch {
    state = { errors: { all: `no infra state at ${file}: run "npm test" or "npm run infra -- up"` } };
  }
  cached = { file, state };
  return state;
}

/**
 * Looks up one component. `skip` is false when it is available; otherwise (locally) a reason
 * string for node:test's `{ skip }`. Under CI=true an unavailable component throws.
 */
export function needs<C extends Component>(component: C): { skip: string | false; value: NonNullable<InfraState[C]> | undefined } {
  const state = readInfra();
  const value = state[component] as NonNullable<InfraState[C]> | undefined;
  const dead = (state.processes?.[component] ?? []).filter((p) => !isOwnedAlive(p));
  if (value && dead.length === 0) return { skip: false, value };
  const why = dead.length
    ? `its server (pid ${dead.map((p) => p.pid).join(', ')}) is no longer running; run: npm run infra -- up ${component}`
    : (state.errors[component] ?? state.errors.all ?? 'not started');
  const reason = `infrastructure "${component}" unavailable: ${why}`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`SKIP ${reason}`);
  return { skip: reason, value: undefined };
}

/** A name unique to this test run: topics, consumer groups, Redis key prefixes, namespaces. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
