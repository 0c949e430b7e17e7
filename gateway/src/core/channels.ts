/**
 * Channel names (DESIGN.md §3.2): `s:<sessionId>`, `c:<customerId>`, `r:<room>` and `*`.
 * A channel is the unit of history, seq, epoch and live fan-out.
 */
import type { SessionIdentity } from '../ports/delivery.ts';

export type ChannelKind = 'session' | 'customer' | 'room' | 'broadcast';

export const BROADCAST_CHANNEL = '*';

/** Ids that may appear in a channel name: printable, no whitespace, no braces (they delimit Redis hash tags). */
const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;

export function isValidTargetId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function sessionChannel(sessionId: string): string {
  return `s:${sessionId}`;
}
export function customerChannel(customerId: string): string {
  return `c:${customerId}`;
}
export function roomChannel(room: string): string {
  return `r:${room}`;
}

/** The channels a session listens to: its own, its customer's, each room of its claims, and broadcast. */
export function channelsOf(session: SessionIdentity): string[] {
  const channels = [sessionChannel(session.sessionId)];
  if (session.customerId) channels.push(customerChannel(session.customerId));
  for (const room of new Set(session.rooms)) if (isValidTargetId(room)) channels.push(roomChannel(room));
  channels.push(BROADCAST_CHANNEL);
  return channels;
}

export function channelKind(channel: string): ChannelKind | undefined {
  if (channel === BROADCAST_CHANNEL) return 'broadcast';
  const id = channel.slice(2);
  if (channel.length < 3 || channel[1] !== ':' || !isValidTargetId(id)) return undefined;
  switch (channel[0]) {
    case 's':
      return 'session';
    case 'c':
      return 'customer';
    case 'r':
      return 'room';
    default:
      return undefined;
  }
}

/** The session id of an `s:` channel, else undefined. */
export function sessionOfChannel(channel: string): string | undefined {
  return channelKind(channel) === 'session' ? channel.slice(2) : undefined;
}
