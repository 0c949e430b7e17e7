/**
 * The one record value every system carries, and the messages the harness exchanges with its
 * load processes over the Node IPC channel. The value is JSON because Centrifugo's Kafka consumer
 * requires JSON and the CES gateway decodes JSON by default; the same bytes go to every system.
 */
import type { HistogramData } from './histogram.ts';

/** Record value: target key, per-target sequence (1, 2, …), producer send time (epoch ms, µs precision), padding. */
export interface BenchPayload {
  b: string;
  n: number;
  t: number;
  p: string;
}

/** Header that carries the producer send time too (epoch ms), as the issue asks. */
export const SENT_AT_HEADER = 'bench-sent-at';

/** Wall clock with sub-millisecond precision; comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Accepts the payload as a JSON string, a Buffer-like string, or an already decoded object (each
 * system hands its clients a different one). Returns null for anything that is not a bench payload.
 */
export function readPayload(data: unknown): BenchPayload | null {
  let v: unknown = data;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.b !== 'string' || !Number.isInteger(o.n) || (o.n as number) < 1 || typeof o.t !== 'number' || !Number.isFinite(o.t)) return null;
  return { b: o.b, n: o.n as number, t: o.t, p: typeof o.p === 'string' ? o.p : '' };
}

/** How a record is addressed for one system: Kafka headers, keyed by the target. */
export interface Target {
  key: string;
  headers: Record<string, string>;
  /** Centrifugo channel, when the record value is wrapped in its publish command. */
  channel?: string;
}

// ---- harness → producer ----
export interface ProduceCommand {
  cmd: 'produce';
  brokers: string[];
  topic: string;
  targets: Target[];
  /** Records per second over all targets; the producer walks the targets round-robin. */
  rate: number;
  durationMs: number;
  payloadBytes: number;
}

export interface ProduceResult {
  type: 'produced';
  sent: Record<string, number>;
  total: number;
  startedAt: number;
  endedAt: number;
  /** Failed sends (the records are not counted in `sent`). */
  errors: number;
}

// ---- harness → worker ----
/** One client session as a worker should open it; `system` picks the client. */
export interface SessionSpec {
  /** Key of the target whose records this session expects (session id, customer id or room). */
  target: string;
  /** System-specific address: a Socket.IO URL + room, a Centrifugo URL + channel; for CES empty until registered, then the WebSocket URL. */
  url: string;
  channel: string;
  /** CES: backend API base URL and key used to mint the session before registering it. */
  api?: { base: string; headers: Record<string, string>; customerId: string };
}

export type WorkerCommand =
  /** Takes the worker's sessions and runs the system's registration step, if it has one (CES does). */
  | { cmd: 'register'; system: SystemName; sessions: SessionSpec[]; concurrency: number }
  /** Opens the registered sessions. */
  | { cmd: 'connect'; concurrency: number }
  | { cmd: 'progress' }
  | { cmd: 'storm' }
  /** Latency counts only records sent at or after `at` (epoch ms): the warm-up is excluded. */
  | { cmd: 'window'; at: number }
  | { cmd: 'report'; sent: Record<string, number> }
  | { cmd: 'close' };

export type SystemName = 'ces' | 'socketio' | 'centrifugo';

export interface WorkerRegistered {
  type: 'registered';
  ok: number;
  failed: number;
  firstError?: string;
}
export interface WorkerConnected {
  type: 'connected';
  ok: number;
  failed: number;
  /** Target key of every registered session of this worker, in the order opened ('' when it failed to connect). */
  targets: string[];
  firstError?: string;
}
export interface WorkerProgress {
  type: 'progress';
  received: number;
}
export interface WorkerStorm {
  type: 'storm';
  /** Per-session time from the drop to ready again, ms. */
  reconnect: HistogramData;
  failed: number;
  /** Sessions whose system said the missed messages were recovered. */
  recovered: number;
}
export interface WorkerReport {
  type: 'report';
  latency: HistogramData;
  received: number;
  distinct: number;
  duplicates: number;
  missing: number;
  /** First deliveries of records sent inside the measured window, and the receive time of the last one. */
  windowed: number;
  lastWindowReceiveAt: number;
  /** Latest receive time (epoch ms), for the delivered rate. */
  lastReceiveAt: number;
  firstReceiveAt: number;
}
export type WorkerMessage = WorkerRegistered | WorkerConnected | WorkerProgress | WorkerStorm | WorkerReport | { type: 'error'; message: string };
