/**
 * The infrastructure library behind `npm run infra` and `npm test`: bring components up (reusing
 * healthy ones), write `.ces/infra/state.json` for tests (shape: InfraState in test/support/infra.ts),
 * and stop what was started.
 *
 * Guarantees:
 * - `up` is idempotent: a component whose record's processes are alive and healthy is reused as is.
 * - Components start in parallel; one failing never stops the others — its reason lands in
 *   `state.errors[component]`.
 * - `up` and `down` serialize per component on `.ces/infra/<component>.lock`, so parallel `npm test`
 *   runs in one checkout share servers instead of racing to start two copies, and a slow first build
 *   of one component (kube) never blocks reuse of another.
 * - `down` only signals processes recorded by `up` whose command line still carries our marker.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Component, InfraState } from '../support/infra.ts';
import { stateFile } from '../support/infra.ts';
import { components, type ComponentDef } from './components.ts';
import { withLock } from './lock.ts';
import { componentDir, infraDir } from './paths.ts';
import { findByMarker, isOwnedAlive, stopOwned, type OwnedProcess } from './procs.ts';
import { readRecord, removeRecord, writeJsonAtomic, writeRecord } from './records.ts';

export const allComponents: readonly Component[] = ['kafka', 'redis', 'redisCluster', 'prometheus', 'kube', 'helm'];

export interface ComponentOutcome {
  component: Component;
  /** started = new processes; reused = already running and healthy; failed = see error. */
  outcome: 'started' | 'reused' | 'failed';
  ms: number;
  error?: string;
}

export interface UpResult {
  state: InfraState;
  outcomes: ComponentOutcome[];
}

export function isComponent(name: string): name is Component {
  return (allComponents as readonly string[]).includes(name);
}

/** Brings the given components up (default: all) and rewrites the state file. */
export async function up(wanted: readonly Component[] = allComponents): Promise<UpResult> {
  const outcomes = await Promise.all(wanted.map((c) => withLock(lockOf(c), () => upOne(c, components[c] as ComponentDef<unknown>))));
  const failures = Object.fromEntries(outcomes.filter((o) => o.error).map((o) => [o.component, o.error as string]));
  return { state: await withLock(lockOf('state'), async () => writeState(failures)), outcomes };
}

function lockOf(name: string): string {
  return path.join(infraDir(), `${name}.lock`);
}

async function upOne(component: Component, def: ComponentDef<unknown>): Promise<ComponentOutcome> {
  const t0 = Date.now();
  const took = () => Date.now() - t0;
  try {
    const record = readRecord(component);
    if (record && record.procs.every(isOwnedAlive) && (await def.healthy(record.state))) {
      return { component, outcome: 'reused', ms: took() };
    }
    if (record) await stopRecorded(component);
    await stopStrays(component);
    const running = await def.start();
    writeRecord(component, running);
    return { component, outcome: 'started', ms: took() };
  } catch (err) {
    return { component, outcome: 'failed', ms: took(), error: err instanceof Error ? err.message : String(err) };
  }
}

export interface DownOptions {
  /** Stop nothing while another live test run holds a lease (see takeLease). @default false */
  unlessLeased?: boolean;
}

/** Stops the given components (default: all that have a record) and rewrites the state file. */
export async function down(wanted: readonly Component[] = allComponents, opts: DownOptions = {}): Promise<Component[]> {
  const stopped: Component[] = [];
  await Promise.all(
    wanted.map((c) =>
      withLock(lockOf(c), async () => {
        // Checked under the component's lock: a run that leases after this point waits for the lock, then starts afresh.
        if (opts.unlessLeased && otherLeases().length > 0) return;
        if (await stopRecorded(c)) stopped.push(c);
      }),
    ),
  );
  const reasons = Object.fromEntries(stopped.map((c) => [c, `stopped (start it with: npm run infra -- up ${c})`]));
  await withLock(lockOf('state'), async () => writeState(reasons));
  return stopped;
}

/** Stops servers of this component that no record lists (their starter died before recording them). */
async function stopStrays(component: Component): Promise<number> {
  const strays = components[component].strays;
  if (!strays) return 0;
  const found = findByMarker(path.join(componentDir(strays.dir), path.sep), strays.executables);
  await Promise.all(found.map((p) => stopOwned(p, components[component].stopGraceMs ?? 10_000)));
  return found.length;
}

async function stopRecorded(component: Component): Promise<boolean> {
  const strays = await stopStrays(component).catch(() => 0);
  const record = readRecord(component);
  if (!record) return strays > 0;
  await Promise.all(record.procs.map((p) => stopOwned(p, components[component].stopGraceMs ?? 10_000)));
  await components[component].afterStop?.(record.state as never);
  removeRecord(component);
  return true;
}

/**
 * state.json from the records on disk. Errors: this call's reasons first, then (for components
 * still not running) the previous file's reasons, else "not started".
 */
function writeState(reasons: Record<string, string>): InfraState {
  const previous = readPreviousState();
  const state: InfraState = { errors: {} };
  for (const c of allComponents) {
    const record = readRecord(c);
    if (record && !reasons[c]) {
      (state as unknown as Record<string, unknown>)[c] = record.state;
      if (record.procs.length) (state.processes ??= {})[c] = record.procs;
      continue;
    }
    state.errors[c] = reasons[c] ?? previous?.errors[c] ?? `not started (run: npm run infra -- up ${c})`;
  }
  writeJsonAtomic(stateFile(), state);
  return state;
}

function readPreviousState(): InfraState | undefined {
  if (!existsSync(stateFile())) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as InfraState;
  } catch {
    return undefined;
  }
}

export interface StatusLine {
  component: Component;
  running: boolean;
  healthy: boolean;
  detail: string;
}

/** What runs now, checked live (not just read from the state file). */
export async function status(): Promise<StatusLine[]> {
  return await Promise.all(
    allComponents.map(async (component): Promise<StatusLine> => {
      const record = readRecord(component);
      if (!record) return { component, running: false, healthy: false, detail: readPreviousState()?.errors[component] ?? 'not started' };
      const running = record.procs.every(isOwnedAlive);
      const def = components[component] as ComponentDef<unknown>;
      const healthy = running && (await def.healthy(record.state).catch(() => false));
      const pids = record.procs.map((p) => p.pid).join(',');
      const shown = JSON.stringify(record.state, redactSecrets);
      return { component, running, healthy, detail: `${shown}${pids ? ` pids=${pids}` : ''} since ${record.startedAt}` };
    }),
  );
}

/** JSON.stringify replacer: bearer tokens stay in state.json (tests need them), never on a terminal. */
export function redactSecrets(key: string, value: unknown): unknown {
  if (key === 'token') return '<redacted>';
  if (key === 'users' && value && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((u) => [u, '<redacted>']));
  return value;
}

/** Shell `export` lines for the running infrastructure (`eval "$(npm run --silent infra -- env)"`). */
export function envExports(state: InfraState, file = stateFile()): string[] {
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = [`export CES_INFRA_STATE=${q(file)}`];
  if (state.kafka) lines.push(`export CES_KAFKA_BROKERS=${q(state.kafka.brokers.join(','))}`);
  if (state.redis) lines.push(`export CES_REDIS_URL=${q(state.redis.url)}`);
  if (state.redisCluster) lines.push(`export CES_REDIS_CLUSTER_NODES=${q(state.redisCluster.nodes.map((n) => `${n.host}:${n.port}`).join(','))}`);
  if (state.kube) lines.push(`export KUBECONFIG=${q(state.kube.kubeconfigPath)}`);
  if (state.prometheus) lines.push(`export CES_PROMTOOL=${q(state.prometheus.promtool)}`);
  if (state.helm) lines.push(`export CES_HELM=${q(state.helm.bin)}`);
  return lines;
}

/*
 * Leases: a test run that reuses servers another run started must not lose them when that run
 * ends. Each run holds a lease (a file named by its pid) while its tests run; the run that started
 * a component stops it only when no other live lease exists, otherwise it is left running.
 */
const leaseMarker = 'test/run.ts';

function leasesDir(): string {
  return path.join(infraDir(), 'leases');
}

/** Registers this process as a user of the infrastructure; returns the release function. */
export function takeLease(): () => void {
  mkdirSync(leasesDir(), { recursive: true });
  const file = path.join(leasesDir(), String(process.pid));
  writeFileSync(file, leaseMarker);
  return () => rmSync(file, { force: true });
}

/** Pids of other live processes holding a lease (stale lease files are removed). */
export function otherLeases(): number[] {
  let entries: string[] = [];
  try {
    entries = readdirSync(leasesDir());
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const entry of entries) {
    const proc: OwnedProcess = { pid: Number(entry), marker: leaseMarker };
    if (proc.pid === process.pid) continue;
    if (isOwnedAlive(proc)) live.push(proc.pid);
    else rmSync(path.join(leasesDir(), entry), { force: true });
  }
  return live;
}
