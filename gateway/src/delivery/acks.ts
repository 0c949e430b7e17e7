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
