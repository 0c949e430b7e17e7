/**
 * Runs one scenario against one running system: client workers register (CES) and then connect
 * their sessions, the producer writes at the planned rate (warm-up, then the measured window), the
 * storm (if any) drops every client at once, the harness waits for the deliveries to drain, then
 * merges what the workers saw with what the producer sent and what /proc and Redis say about the
 * servers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emptyHistogram, merge, summarize, type LatencySummary } from './histogram.ts';
import { cpuCores, rssPeakSampler, snapshot } from './proc-stats.ts';
import { commandsProcessed } from './redis-stats.ts';
import { nowMs, type ProduceCommand, type ProduceResult, type SessionSpec, type WorkerCommand, type WorkerMessage } from './payload.ts';
import type { ScenarioPlan } from './options.ts';
import type { RunningSystem } from './systems/types.ts';

export interface ScenarioResult {
  system: string;
  scenario: string;
  title: string;
  sessions: number;
  connected: number;
  connectFailed: number;
  connectError?: string;
  /** Records per second the producer actually wrote in the measured window. */
  offeredRecordsPerSec: number;
  /** Deliveries per second those records ask for (records × sessions per target). */
  offeredPerSec: number;
  /** First deliveries per second of records sent in the window, until the last of them arrived. */
  deliveredPerSec: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  latencyMs: LatencySummary;
  /** Server processes: average CPU in cores over the window, peak RSS. */
  cpuCores: number;
  rssPeakBytes: number;
  idleBytesPerConnection: number | null;
  redisOpsPerSec: number;
  storm?: { reconnectMs: LatencySummary; failed: number; recovered: number; allBackMs: number | null };
  producerErrors: number;
}

export interface ScenarioEnv {
  brokers: string[];
  topic: string;
  redisUrl: string;
  workers: number;
  payloadBytes: number;
  log: (line: string) => void;
}

/** kafkajs 2.2.4 schedules negative timeouts on Node ≥ 23 (harmless, but it floods the output). */
export const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** A forked load process with a request/answer helper (one outstanding request per type). */
class Proc {
  readonly child: ChildProcess;
  #waiting = new Map<string, (m: WorkerMessage | ProduceResult) => void>();
  constructor(file: string) {
    this.child = fork(here(file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: NODE_FLAGS });
    this.child.on('message', (m: WorkerMessage | ProduceResult) => {
      const key = m.type === 'error' ? [...this.#waiting.keys()][0] : m.type;
      const resolve = key === undefined ? undefined : this.#waiting.get(key);
      if (key !== undefined) this.#waiting.delete(key);
      resolve?.(m);
    });
    // A load process that dies fails whatever the harness was waiting for, instead of hanging the run.
    this.child.on('exit', (code, signal) => {
      for (const resolve of this.#waiting.values()) resolve({ type: 'error', message: `${file} exited (${signal ?? code})` });
      this.#waiting.clear();
    });
  }
  ask<T extends WorkerMessage | ProduceResult>(msg: WorkerCommand | ProduceCommand, answer: T['type']): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#waiting.set(answer, (m) => (m.type === 'error' ? reject(new Error(m.message)) : resolve(m as T)));
      this.child.send(msg);
    });
  }
  close(): void {
    if (this.child.connected) this.child.send({ cmd: 'close' } satisfies WorkerCommand);
    setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
  }
}

function keyOf(plan: ScenarioPlan, prefix: string, i: number): string {
  return plan.kind === 'session' ? `${prefix}-s${i}` : `${prefix}-g${i % plan.targets}`;
}

/** Hands each worker its share of the sessions and lets it run the system's registration step. */
async function registerSessions(system: RunningSystem, plan: ScenarioPlan, workers: Proc[], prefix: string) {
  const specs: SessionSpec[][] = workers.map(() => []);
  for (let i = 0; i < plan.sessions; i++) specs[i % workers.length]!.push(system.session(keyOf(plan, prefix, i), plan.kind, i));
  const answers = await Promise.all(
    workers.map((w, i) => w.ask<Extract<WorkerMessage, { type: 'registered' }>>({ cmd: 'register', system: system.name, sessions: specs[i]!, concurrency: 100 }, 'registered')),
  );
  return { failed: answers.reduce((n, a) => n + a.failed, 0), firstError: answers.find((a) => a.firstError)?.firstError };
}

async function connectSessions(workers: Proc[]) {
  const answers = await Promise.all(workers.map((w) => w.ask<Extract<WorkerMessage, { type: 'connected' }>>({ cmd: 'connect', concurrency: 100 }, 'connected')));
  const targets = new Set<string>();
  for (const a of answers) for (const t of a.targets) if (t) targets.add(t);
  return {
    ok: answers.reduce((n, a) => n + a.ok, 0),
    failed: answers.reduce((n, a) => n + a.failed, 0),
    firstError: answers.find((a) => a.firstError)?.firstError,
    targets: [...targets],
  };
}

/** Waits until deliveries stop growing for `quietMs` (or `maxMs` passes). */
async function drain(workers: Proc[], quietMs = 2000, maxMs = 30_000): Promise<void> {
  const start = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    const progress = await Promise.all(workers.map((w) => w.ask<Extract<WorkerMessage, { type: 'progress' }>>({ cmd: 'progress' }, 'progress')));
    const received = progress.reduce((n, p) => n + p.received, 0);
    if (received !== last) {
      last = received;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runScenario(system: RunningSystem, plan: ScenarioPlan, env: ScenarioEnv, prefix: string): Promise<ScenarioResult> {
  const workers = Array.from({ length: Math.max(1, Math.min(env.workers, plan.sessions)) }, () => new Proc('./worker.ts'));
  try {
    return await measure(system, plan, env, prefix, workers);
  } finally {
    for (const w of workers) w.close();
  }
}

async function measure(system: RunningSystem, plan: ScenarioPlan, env: ScenarioEnv, prefix: string, workers: Proc[]): Promise<ScenarioResult> {
  const registerStart = Date.now();
  const registered = await registerSessions(system, plan, workers, prefix);
  // The idle-memory baseline follows registration (CES: two HTTP calls per session), so the garbage
  // that work leaves behind is not counted as connection memory.
  const rssBefore = snapshot(system.pids()).rssBytes;
  const connectStart = Date.now();
  const opened = await connectSessions(workers);
  const conn = { ...opened, failed: registered.failed + opened.failed, firstError: registered.firstError ?? opened.firstError };
  const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
  env.log(`  ${conn.ok}/${plan.sessions} sessions registered in ${seconds(registerStart, connectStart)} s, connected in ${seconds(connectStart, Date.now())} s${conn.failed ? ` (${conn.failed} failed: ${conn.firstError})` : ''}`);
  let idleBytesPerConnection: number | null = null;
  if (plan.idleMemory && conn.ok > 0) {
    await new Promise((r) => setTimeout(r, 2000));
    idleBytesPerConnection = (snapshot(system.pids()).rssBytes - rssBefore) / conn.ok;
  }
  const sessionsPerTarget = plan.kind === 'session' ? 1 : conn.ok / Math.max(1, conn.targets.length);
  const producer = new Proc('./producer.ts');
  const windowStart = nowMs() + 500 + plan.warmupMs; // 500 ms for the producer to connect
  await Promise.all(workers.map((w) => w.ask({ cmd: 'window', at: windowStart }, 'progress')));
  const produced = producer.ask<ProduceResult>(
    {
      cmd: 'produce', brokers: env.brokers, topic: env.topic, rate: plan.rate, durationMs: plan.warmupMs + plan.durationMs,
      payloadBytes: env.payloadBytes, targets: conn.targets.map((t) => system.target(t, plan.kind)),
    },
    'produced',
  );
  await new Promise((r) => setTimeout(r, Math.max(0, windowStart - nowMs())));
  const cpuFrom = snapshot(system.pids());
  const redisFrom = await commandsProcessed(env.redisUrl);
  const rss = rssPeakSampler(system.pids());
  const storm = plan.stormAtMs === undefined ? undefined : runStorm(workers, plan.stormAtMs);
  const result = await produced;
  const cpuTo = snapshot(system.pids());
  const redisTo = await commandsProcessed(env.redisUrl);
  const stormResult = await storm;
  await drain(workers);
  const rssPeakBytes = rss.stop();
  producer.close();
  const reports = await Promise.all(workers.map((w) => w.ask<Extract<WorkerMessage, { type: 'report' }>>({ cmd: 'report', sent: result.sent }, 'report')));
  const latency = reports.reduce((h, r) => merge(h, r.latency), emptyHistogram());
  const windowed = reports.reduce((n, r) => n + r.windowed, 0);
  const lastAt = Math.max(...reports.map((r) => r.lastWindowReceiveAt));
  const producedSeconds = (result.endedAt - result.startedAt) / 1000;
  const offeredRecordsPerSec = producedSeconds > 0 ? result.total / producedSeconds : 0;
  const delivered = reports.reduce((n, r) => n + r.distinct, 0);
  const missing = reports.reduce((n, r) => n + r.missing, 0);
  return {
    system: system.name, scenario: plan.name, title: plan.title, sessions: plan.sessions, connected: conn.ok, connectFailed: conn.failed,
    ...(conn.firstError ? { connectError: conn.firstError } : {}),
    offeredRecordsPerSec, offeredPerSec: offeredRecordsPerSec * sessionsPerTarget,
    deliveredPerSec: lastAt > windowStart ? windowed / ((lastAt - windowStart) / 1000) : 0,
    expected: delivered + missing, delivered, missing, duplicates: reports.reduce((n, r) => n + r.duplicates, 0),
    latencyMs: summarize(latency), cpuCores: cpuCores(cpuFrom, cpuTo), rssPeakBytes, idleBytesPerConnection,
    redisOpsPerSec: (redisTo - redisFrom) / ((cpuTo.at - cpuFrom.at) / 1000),
    ...(stormResult ? { storm: stormResult } : {}), producerErrors: result.errors,
  };
}

async function runStorm(workers: Proc[], atMs: number): Promise<NonNullable<ScenarioResult['storm']>> {
  await new Promise((r) => setTimeout(r, atMs));
  const started = nowMs();
  const answers = await Promise.all(workers.map((w) => w.ask<Extract<WorkerMessage, { type: 'storm' }>>({ cmd: 'storm' }, 'storm')));
  const allBack = nowMs() - started;
  const reconnect = answers.reduce((h, a) => merge(h, a.reconnect), emptyHistogram());
  const failed = answers.reduce((n, a) => n + a.failed, 0);
  return { reconnectMs: summarize(reconnect), failed, recovered: answers.reduce((n, a) => n + a.recovered, 0), allBackMs: failed ? null : allBack };
}
