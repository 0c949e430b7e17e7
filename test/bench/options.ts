/**
 * Command-line flags of `npm run bench` and the scenario plan they produce. Defaults are sized so
 * the full run (3 systems × 4 scenarios, everything co-located on a 2-core machine) finishes in
 * about ten minutes on the shared, busy development machine (less when it is idle; the issue asked
 * for about five): 2,000 fan-out sessions rather than the 10,000, because
 * registering and connecting 10,000 sessions per system alone would take minutes on 2 cores. Every
 * size can be raised by flag (`--sessions 10000`).
 */
import { parseArgs } from 'node:util';
import type { SystemName } from './payload.ts';
import type { TargetKind } from './systems/types.ts';

export const SYSTEMS: readonly SystemName[] = ['ces', 'socketio', 'centrifugo'];
export const SCENARIOS = ['fanout', 'throughput', 'broadcast', 'storm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  systems: SystemName[];
  scenarios: ScenarioName[];
  /** Measured seconds per scenario (after the warm-up). */
  durationS: number;
  warmupS: number;
  /** (a) fan-out: sessions and messages per second per session. */
  sessions: number;
  rate: number;
  /** (b) throughput: sessions and offered records per second in total. */
  throughputSessions: number;
  maxRate: number;
  /** (c) broadcast: sessions spread over rooms (CES: customers), messages per second per room. */
  broadcastSessions: number;
  rooms: number;
  roomRate: number;
  /** (d) storm: sessions and messages per second per session while every client drops at once. */
  stormSessions: number;
  stormRate: number;
  gateways: number;
  workers: number;
  payloadBytes: number;
  partitions: number;
  historySize: number;
  /** Write results (JSON, Markdown, SVG) to this folder; empty writes nothing. */
  out: string;
  /** CES gateways write V8 CPU profiles here (open in Chrome DevTools); empty: no profiling. */
  profile: string;
}

export interface ScenarioPlan {
  name: ScenarioName;
  title: string;
  kind: TargetKind;
  sessions: number;
  /** Distinct targets: one per session, or the number of rooms. */
  targets: number;
  /** Records per second produced over all targets. */
  rate: number;
  durationMs: number;
  warmupMs: number;
  /** Offset into the measured window at which every client drops (storm only). */
  stormAtMs?: number;
  /** Measure server RSS before and after connecting (idle bytes per connection). */
  idleMemory: boolean;
}

const HELP = `npm run bench -- [flags]
  --systems ces,socketio,centrifugo   systems to measure (default all three)
  --scenarios fanout,throughput,broadcast,storm
  --duration S      measured seconds per scenario (default 10); --warmup S (default 2)
  --sessions N      (a) fan-out sessions (default 2000), --rate R msg/s per session (default 1)
  --throughput-sessions N (default 1000), --max-rate R offered records/s (default 5000)
  --broadcast-sessions N (default 1000), --rooms N (default 10), --room-rate R msg/s per room (default 10)
  --storm-sessions N (default 1000), --storm-rate R msg/s per session (default 1)
  --gateways N      server processes per system (default 1)
  --workers N       client load processes (default 2)
  --payload BYTES   padding per message (default 64)
  --out DIR         results folder (default test/bench/results; "" writes nothing)
  --profile DIR     CES gateways write V8 CPU profiles (.cpuprofile) into DIR`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return v;
}

function listOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  if (raw === undefined) return [...allowed];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: unknown "${item}" (allowed: ${allowed.join(', ')})`);
  if (items.length === 0) throw new Error(`--${name} is empty`);
  return items as T[];
}

/** Parses argv (without node and script). Throws with a readable message on bad input; `help` asks for the usage text. */
export function parseOptions(argv: string[], defaultOut: string): BenchOptions | { help: string } {
  const num = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      systems: num, scenarios: num, duration: num, warmup: num, sessions: num, rate: num,
      'throughput-sessions': num, 'max-rate': num, 'broadcast-sessions': num, rooms: num, 'room-rate': num,
      'storm-sessions': num, 'storm-rate': num, gateways: num, workers: num, payload: num, partitions: num,
      history: num, out: num, profile: num,
    },
  });
  if (values.help) return { help: HELP };
  const int = (name: keyof typeof values, fallback: number): number => Math.round(positive(name, values[name] as string | undefined, fallback));
  const real = (name: keyof typeof values, fallback: number): number => positive(name, values[name] as string | undefined, fallback);
  return {
    systems: listOf('systems', values.systems, SYSTEMS),
    scenarios: listOf('scenarios', values.scenarios, SCENARIOS),
    durationS: real('duration', 10),
    warmupS: real('warmup', 2),
    sessions: int('sessions', 2000),
    rate: real('rate', 1),
    throughputSessions: int('throughput-sessions', 1000),
    maxRate: real('max-rate', 5000),
    broadcastSessions: int('broadcast-sessions', 1000),
    rooms: int('rooms', 10),
    roomRate: real('room-rate', 10),
    stormSessions: int('storm-sessions', 1000),
    stormRate: real('storm-rate', 1),
    gateways: int('gateways', 1),
    workers: int('workers', 2),
    payloadBytes: int('payload', 64),
    partitions: int('partitions', 4),
    historySize: int('history', 100),
    out: values.out ?? defaultOut,
    profile: values.profile ?? '',
  };
}

/** The scenarios to run, in order, with their sizes. */
export function planScenarios(o: BenchOptions): ScenarioPlan[] {
  const durationMs = o.durationS * 1000;
  const warmupMs = o.warmupS * 1000;
  const plans: Record<ScenarioName, ScenarioPlan> = {
    fanout: {
      name: 'fanout', title: `(a) fan-out: ${o.sessions} sessions × ${o.rate} msg/s`, kind: 'session',
      sessions: o.sessions, targets: o.sessions, rate: o.sessions * o.rate, durationMs, warmupMs, idleMemory: true,
    },
    throughput: {
      name: 'throughput', title: `(b) throughput: ${o.maxRate} msg/s offered to ${o.throughputSessions} sessions`, kind: 'session',
      sessions: o.throughputSessions, targets: o.throughputSessions, rate: o.maxRate, durationMs, warmupMs, idleMemory: false,
    },
    broadcast: {
      name: 'broadcast', title: `(c) broadcast: ${o.broadcastSessions} sessions in ${o.rooms} rooms × ${o.roomRate} msg/s`, kind: 'group',
      sessions: o.broadcastSessions, targets: Math.min(o.rooms, o.broadcastSessions), rate: Math.min(o.rooms, o.broadcastSessions) * o.roomRate,
      durationMs, warmupMs, idleMemory: false,
    },
    storm: {
      name: 'storm', title: `(d) resume storm: ${o.stormSessions} sessions × ${o.stormRate} msg/s, all drop at once`, kind: 'session',
      sessions: o.stormSessions, targets: o.stormSessions, rate: o.stormSessions * o.stormRate, durationMs, warmupMs,
      stormAtMs: Math.round(durationMs / 3), idleMemory: false,
    },
  };
  return o.scenarios.map((name) => plans[name]);
}
