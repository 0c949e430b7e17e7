/**
 * Acks of shared channels (customer, room, broadcast) are stored with the session
 * (SessionStore.saveAck, monotonic per key) under the key `<channel>@<epoch>`: an ack only means
 * something in the epoch it was given in, and after a history loss the new epoch's acks must start
 * low again without being ignored as "lower". A session's own channel keeps its ack in the
 * channel's history meta instead (History.ack, epoch-bound by the history itself).
 */
export function ackKey(channel: string, epoch: string): string {
  return `${channel}@${epoch}`;
}

/** The stored acks that belong to `epoch`, by channel. */
export function currentEpochAcks(acks: Readonly<Record<string, number>>, epoch: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, seq] of Object.entries(acks)) {
    const at = key.lastIndexOf('@');
    if (at > 0 && key.slice(at + 1) === epoch) out.set(key.slice(0, at), seq);
  }
  return out;
}

export type AckWrite = (sessionId: string, channel: string, epoch: string, seq: number) => Promise<void>;

export interface AckWriter {
  /** Records an ack; settles once a write covering it has landed (or failed). */
  store: AckWrite;
  /** Writes a session's pending acks now (its connection closed or is reopening). */
  flush(sessionId: string): Promise<void>;
  /** Writes every pending ack now (shutdown). */
  flushAll(): Promise<void>;
}

interface Pending {
  sessionId: string;
  channel: string;
  epoch: string;
  seq: number;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

/**
 * Ack writes, batched: acks are cumulative, so per session, channel and epoch only the highest one
 * pending is written, at most once per `flushMs` (every pending ack of the gateway goes out in the
 * same turn, one pipelined burst). `flushMs` 0 writes each ack at once.
 * Guarantees: a stored ack never goes down; a session's pending acks are written when its
 * connection closes and before it reopens on this gateway (flush), and all of them on shutdown, so
 * the bound on what a crash can lose is `flushMs` of acks — the client then gets those entries
 * again (at-least-once; its seq dedupe drops them). A failed write is retried with the next flush.
 */
export function createAckWriter(write: AckWrite, flushMs: number): AckWriter {
  const pending = new Map<string, Map<string, Pending>>();
  let timer: NodeJS.Timeout | undefined;

  async function writeOne(p: Pending): Promise<void> {
    try {
      await write(p.sessionId, p.channel, p.epoch, p.seq);
      for (const w of p.waiters) w.resolve();
    } catch (err) {
      for (const w of p.waiters) w.reject(err);
      // Retry later unless a newer ack for the key is already waiting.
      const session = pending.get(p.sessionId) ?? new Map<string, Pending>();
      const key = ackKey(p.channel, p.epoch);
      if (!session.has(key)) session.set(key, { ...p, waiters: [] });
      pending.set(p.sessionId, session);
      schedule();
    }
  }

  async function flush(sessionId: string): Promise<void> {
    const session = pending.get(sessionId);
    if (!session) return;
    pending.delete(sessionId);
    await Promise.all([...session.values()].map(writeOne));
  }

  async function flushAll(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await Promise.all([...pending.keys()].map(flush));
  }

  function schedule(): void {
    if (timer || flushMs <= 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flushAll();
    }, flushMs);
    timer.unref();
  }

  return {
    store(sessionId, channel, epoch, seq) {
      return new Promise<void>((resolve, reject) => {
        let session = pending.get(sessionId);
        if (!session) pending.set(sessionId, (session = new Map()));
        const key = ackKey(channel, epoch);
        const p = session.get(key);
        if (p) {
          p.seq = Math.max(p.seq, seq);
          p.waiters.push({ resolve, reject });
        } else session.set(key, { sessionId, channel, epoch, seq, waiters: [{ resolve, reject }] });
        if (flushMs <= 0) void flush(sessionId);
        else schedule();
      });
    },
    flush,
    flushAll,
  };
}
