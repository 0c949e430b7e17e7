/**
 * Acks are stored with the session (SessionStore.saveAck, monotonic per key) under the key
 * `<channel>@<epoch>`: an ack only means something in the epoch it was given in, and after a
 * history loss the new epoch's acks must start low again without being ignored as "lower".
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

/**
 * Ack writes, coalesced: per session, channel and epoch at most one write is in flight, and acks
 * arriving meanwhile merge into the next write (acks are cumulative: only the highest counts).
 * Nothing waits on a timer — an idle key writes at once, a busy one once per round trip. A
 * caller's promise settles when a write covering its seq has landed (or failed).
 */
export function createAckWriter(write: AckWrite): { store: AckWrite } {
  const slots = new Map<string, { want: number; done: Promise<void> }>();
  return {
    store(sessionId, channel, epoch, seq) {
      const key = `${sessionId}\n${ackKey(channel, epoch)}`;
      const busy = slots.get(key);
      if (busy) {
        busy.want = Math.max(busy.want, seq);
        return busy.done;
      }
      const slot = { want: seq, done: Promise.resolve() };
      slot.done = (async () => {
        try {
          for (let written = -1; slot.want > written; ) {
            const next = slot.want;
            await write(sessionId, channel, epoch, next);
            written = next;
          }
        } finally {
          slots.delete(key);
        }
      })();
      slots.set(key, slot);
      return slot.done;
    },
  };
}
