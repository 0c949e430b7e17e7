/**
 * Redis key layout of a channel (docs/delivery.md). Every key of one channel shares the hash tag
 * `{ch:<channel>}` so the Lua scripts touch one cluster slot; the live pub/sub channel carries
 * the same tag so SPUBLISH from inside the script stays on that slot too.
 */
export interface ChannelKeys {
  meta: string;
  log: string;
  sources: string;
  live: string;
}

export function channelKeys(prefix: string, channel: string): ChannelKeys {
  const tag = `${prefix}{ch:${channel}}`;
  return { meta: `${tag}:meta`, log: `${tag}:log`, sources: `${tag}:src`, live: `${tag}:live` };
}

/** The channel name back from a live pub/sub channel name, or undefined if it is not ours. */
export function channelOfLive(prefix: string, live: string): string | undefined {
  const head = `${prefix}{ch:`;
  if (!live.startsWith(head) || !live.endsWith('}:live')) return undefined;
  return live.slice(head.length, -'}:live'.length);
}

/** Decodes a published payload `<seq>:<epoch>:<message JSON>`. */
export function parseLivePayload(payload: string): { seq: number; epoch: string; json: string } | undefined {
  const first = payload.indexOf(':');
  const second = first < 0 ? -1 : payload.indexOf(':', first + 1);
  if (second < 0) return undefined;
  const seq = Number(payload.slice(0, first));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { seq, epoch: payload.slice(first + 1, second), json: payload.slice(second + 1) };
}
