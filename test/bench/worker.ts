/**
 * Load process: holds M client sessions of one system, records every delivery (latency from the
 * producer's send time, first delivery vs duplicate by the per-target sequence) and answers the
 * harness's commands over IPC (see WorkerCommand in payload.ts). Started with `fork`.
 */
import { emptyHistogram, record, type HistogramData } from './histogram.ts';
import { SeqTracker } from './tracker.ts';
import { nowMs, readPayload, type SessionSpec, type SystemName, type WorkerCommand, type WorkerMessage } from './payload.ts';
import type { BenchConnection, Connect, Register } from './clients/types.ts';

interface Client {
  connect: Connect;
  register?: Register;
}

interface Session {
  spec: SessionSpec;
  conn: BenchConnection;
  tracker: SeqTracker;
  /** Connected at least once; sessions that never did are reported as connect failures, not loss. */
  ok: boolean;
}

/** The system's client, and the sessions `register` prepared for `connect`. */
let client: Client | undefined;
let registered: SessionSpec[] = [];
const sessions: Session[] = [];
let latency = emptyHistogram();
let received = 0;
let firstReceiveAt = 0;
let lastReceiveAt = 0;
/** Deliveries before this time (epoch ms) are not counted in the latency histogram (warm-up). */
let windowStart = 0;
/** First deliveries of records sent inside the window, and when the last of them arrived. */
let windowed = 0;
let lastWindowReceiveAt = 0;

async function loadClient(system: SystemName): Promise<Client> {
  if (system === 'ces') {
    const ces = await import('./clients/ces.ts');
    return { connect: ces.connectCes, register: ces.registerCes };
  }
  if (system === 'socketio') return { connect: (await import('./clients/socketio.ts')).connectSocketIo };
  return { connect: (await import('./clients/centrifugo.ts')).connectCentrifugo };
}

/** Runs `job` over `items`, at most `concurrency` at a time (a real fleet's clients trickle in too). */
async function inLanes<T>(items: T[], concurrency: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await job(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
}

function onDelivery(session: Session, data: unknown): void {
  const at = nowMs();
  const payload = readPayload(data);
  if (!payload || payload.b !== session.conn.target()) return;
  received += 1;
  if (firstReceiveAt === 0) firstReceiveAt = at;
  lastReceiveAt = at;
  if (session.tracker.add(payload.n) && payload.t >= windowStart) {
    record(latency, at - payload.t);
    windowed += 1;
    lastWindowReceiveAt = at;
  }
}

/** Runs the system's registration step (if any) for every session; sessions that fail it are not opened. */
async function registerAll(system: SystemName, specs: SessionSpec[], concurrency: number): Promise<WorkerMessage> {
  client = await loadClient(system);
  const register = client.register ?? (async (spec: SessionSpec) => spec);
  let failed = 0;
  let firstError: string | undefined;
  registered = [];
  await inLanes(specs, concurrency, async (spec) => {
    try {
      registered.push(await register(spec));
    } catch (err) {
      failed += 1;
      firstError ??= String(err);
    }
  });
  return { type: 'registered', ok: registered.length, failed, ...(firstError ? { firstError } : {}) };
}

/** Opens the registered sessions, at most `concurrency` handshakes at a time. */
async function connectAll(concurrency: number): Promise<WorkerMessage> {
  if (!client) throw new Error('connect before register');
  const { connect } = client;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  await inLanes(registered, concurrency, async (spec) => {
    const session = { spec, tracker: new SeqTracker(), ok: false } as Session;
    session.conn = connect(spec, (data) => onDelivery(session, data));
    sessions.push(session);
    try {
      await session.conn.ready;
      session.ok = true;
      ok += 1;
    } catch (err) {
      failed += 1;
      firstError ??= String(err);
    }
  });
  const targets = sessions.map((s) => (s.ok ? s.conn.target() : ''));
  return { type: 'connected', ok, failed, targets, ...(firstError ? { firstError } : {}) };
}

/** A session not receiving again this long after the drop counts as a failed reconnect. */
const STORM_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not back within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Drops every session at once and times each one until it can receive again. */
async function storm(): Promise<WorkerMessage> {
  const reconnect: HistogramData = emptyHistogram();
  let failed = 0;
  let recovered = 0;
  await Promise.all(
    sessions.filter((s) => s.ok).map(async (s) => {
      const droppedAt = nowMs();
      try {
        if (await withTimeout(s.conn.drop(), STORM_TIMEOUT_MS)) recovered += 1;
        record(reconnect, nowMs() - droppedAt);
      } catch {
        failed += 1;
      }
    }),
  );
  return { type: 'storm', reconnect, failed, recovered };
}

function report(sent: Record<string, number>): WorkerMessage {
  let distinct = 0;
  let duplicates = 0;
  let missing = 0;
  for (const s of sessions) {
    if (!s.ok) continue;
    distinct += s.tracker.distinct;
    duplicates += s.tracker.duplicates;
    missing += s.tracker.missing(sent[s.conn.target()] ?? 0);
  }
  const out: WorkerMessage = { type: 'report', latency, received, distinct, duplicates, missing, windowed, lastWindowReceiveAt, firstReceiveAt, lastReceiveAt };
  latency = emptyHistogram();
  return out;
}

async function handle(cmd: WorkerCommand): Promise<WorkerMessage | undefined> {
  switch (cmd.cmd) {
    case 'register':
      return registerAll(cmd.system, cmd.sessions, cmd.concurrency);
    case 'connect':
      return connectAll(cmd.concurrency);
    case 'progress':
      return { type: 'progress', received };
    case 'storm':
      return storm();
    case 'window':
      windowStart = cmd.at;
      return { type: 'progress', received };
    case 'report':
      return report(cmd.sent);
    case 'close':
      for (const s of sessions) s.conn.close();
      setTimeout(() => process.exit(0), 200).unref();
      return undefined;
  }
}

process.on('message', (cmd: WorkerCommand) => {
  handle(cmd).then(
    (answer) => answer && process.send!(answer),
    (err: unknown) => process.send!({ type: 'error', message: String(err) } satisfies WorkerMessage),
  );
});
