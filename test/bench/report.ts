/**
 * Turns scenario results into the terminal table, the Markdown table of `latest.md` and the
 * target check of the issue (ratios to each peer included). Pure functions: the harness writes
 * the files.
 */
import type { ScenarioResult } from './scenario.ts';

export interface MachineInfo {
  cpuModel: string;
  nproc: number;
  memGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAvg1: number;
}

export interface BenchRun {
  startedAt: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  versions: Record<string, string>;
  results: ScenarioResult[];
  /** Systems or scenarios that could not run, with the reason. */
  notRun: { system: string; scenario?: string; reason: string }[];
}

const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const kib = (bytes: number | null): string => (bytes === null ? '–' : (bytes / 1024).toFixed(1));
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

export const COLUMNS = [
  'scenario', 'system', 'sessions', 'offered/s', 'delivered/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms',
  'missed', 'dup', 'CPU cores', 'RSS MiB', 'idle KiB/conn', 'Redis ops/s', 'reconnect p99 ms', 'recovered',
] as const;

export function row(r: ScenarioResult): string[] {
  return [
    r.scenario, r.system, `${r.connected}/${r.sessions}`, fmt(r.offeredPerSec), fmt(r.deliveredPerSec),
    fmt(r.latencyMs.p50, 1), fmt(r.latencyMs.p95, 1), fmt(r.latencyMs.p99, 1), fmt(r.latencyMs.max, 1),
    String(r.missing), String(r.duplicates), fmt(r.cpuCores, 2), mib(r.rssPeakBytes), kib(r.idleBytesPerConnection),
    fmt(r.redisOpsPerSec), r.storm ? fmt(r.storm.reconnectMs.p99, 0) : '–', r.storm ? `${r.storm.recovered}/${r.connected}` : '–',
  ];
}

export function textTable(results: ScenarioResult[]): string {
  const rows = [COLUMNS.slice() as string[], ...results.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function markdownTable(results: ScenarioResult[]): string {
  const head = `| ${COLUMNS.join(' | ')} |`;
  const sep = `|${COLUMNS.map((_, i) => (i < 2 ? '---' : '--:')).join('|')}|`;
  return [head, sep, ...results.map((r) => `| ${row(r).join(' | ')} |`)].join('\n');
}

function find(results: ScenarioResult[], system: string, scenario: string): ScenarioResult | undefined {
  return results.find((r) => r.system === system && r.scenario === scenario);
}

/** "2.10× socketio" style ratios of CES to each peer for one metric (higher is better when `higher`). */
function ratios(results: ScenarioResult[], scenario: string, pick: (r: ScenarioResult) => number | null, higher: boolean): string {
  const ces = find(results, 'ces', scenario);
  const mine = ces ? pick(ces) : null;
  const parts: string[] = [];
  for (const peer of ['socketio', 'centrifugo']) {
    const other = find(results, peer, scenario);
    const theirs = other ? pick(other) : null;
    if (mine === null || theirs === null || mine === 0 || theirs === 0) continue;
    const ratio = higher ? mine / theirs : theirs / mine;
    parts.push(`${ratio.toFixed(2)}× ${peer}`);
  }
  return parts.length ? parts.join(', ') : 'no peer figure';
}

/** The issue's targets with the CES figure against each (and "not run" when it is missing). */
export function targetsTable(results: ScenarioResult[]): string {
  const fan = find(results, 'ces', 'fanout');
  const tp = find(results, 'ces', 'throughput');
  const all = results.filter((r) => r.system === 'ces');
  const lost = all.reduce((n, r) => n + r.missing, 0);
  const dup = all.reduce((n, r) => n + r.duplicates, 0);
  const best = all.length ? Math.max(...all.map((r) => r.deliveredPerSec)) : null;
  const lines = [
    '| target (issue #8) | CES figure | met? | CES vs peers (>1 = CES better) |',
    '|---|---|---|---|',
    `| ≥ 20,000 delivered msg/s sustained with 10,000 sessions | ${fmt(best)} msg/s best scenario (fan-out: ${fan ? `${fmt(fan.deliveredPerSec)} msg/s with ${fan.connected} sessions` : 'not run'}) | ${best !== null && best >= 20_000 && (fan?.connected ?? 0) >= 10_000 ? 'yes' : 'no'} | throughput: ${ratios(results, 'throughput', (r) => r.deliveredPerSec, true)} |`,
    `| p99 ≤ 100 ms at half that rate | fan-out p99 ${fmt(fan?.latencyMs.p99, 1)} ms at ${fmt(fan?.deliveredPerSec)} msg/s; throughput p99 ${fmt(tp?.latencyMs.p99, 1)} ms | ${fan?.latencyMs.p99 != null && fan.latencyMs.p99 <= 100 ? 'yes (at the rate measured)' : 'no'} | fan-out p99: ${ratios(results, 'fanout', (r) => r.latencyMs.p99, false)} |`,
    `| 0 lost, 0 duplicate (as seen by the app) | ${lost} missed (not received by the end of the drain), ${dup} duplicates over all CES scenarios | ${all.length && lost === 0 && dup === 0 ? 'yes' : 'no'} | storm missed: ${stormLoss(results)} |`,
    `| ≤ 16 KB gateway memory per idle connection | ${kib(fan?.idleBytesPerConnection ?? null)} KiB | ${fan?.idleBytesPerConnection != null && fan.idleBytesPerConnection <= 16 * 1024 ? 'yes' : 'no'} | ${ratios(results, 'fanout', (r) => r.idleBytesPerConnection, false)} |`,
  ];
  return lines.join('\n');
}

function stormLoss(results: ScenarioResult[]): string {
  return ['ces', 'socketio', 'centrifugo']
    .map((s) => find(results, s, 'storm'))
    .filter((r): r is ScenarioResult => r !== undefined)
    .map((r) => `${r.system} ${r.missing}`)
    .join(', ') || 'not run';
}

export function markdownReport(run: BenchRun): string {
  const m = run.machine;
  const notRun = run.notRun.map((n) => `- ${n.system}${n.scenario ? ` / ${n.scenario}` : ''}: not run — ${n.reason}`);
  return [
    `# Benchmark results (${run.startedAt})`,
    '',
    `Machine: ${m.cpuModel}, ${m.nproc} cores (nproc), ${m.memGiB} GiB RAM, ${m.kernel}, Node ${m.node}, load average ${m.loadAvg1.toFixed(1)} at start. Everything co-located: Kafka, Redis, servers, producer and client processes.`,
    `Versions: ${Object.entries(run.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    ...[...new Set(run.results.map((r) => r.title))].map((t) => `- ${t}`),
    '',
    markdownTable(run.results),
    '',
    ...(notRun.length ? ['', ...notRun, ''] : []),
    '## Targets',
    '',
    targetsTable(run.results),
    '',
  ].join('\n');
}
