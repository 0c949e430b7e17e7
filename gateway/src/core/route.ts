/**
 * route: decides which channels a decoded record goes to (DESIGN.md §3.2). The target comes,
 * per topic, from headers (default), the record key, or a field of the decoded JSON value.
 */
import type { Rejected } from './decode.ts';
import { reject } from './decode.ts';
import type { SourceRecord } from './record.ts';
import {
  BROADCAST_CHANNEL,
  customerChannel,
  isValidTargetId,
  roomChannel,
  sessionChannel,
  type ChannelKind,
} from './channels.ts';

export const TargetHeaders = {
  session: 'ces-session-id',
  customer: 'ces-customer-id',
  room: 'ces-room',
  broadcast: 'ces-broadcast',
} as const;

export interface RoutingSettings {
  /** headers: the ces-* target headers; key: the record key; field: a (dotted) field of the JSON value. */
  source: 'headers' | 'key' | 'field';
  /** For key and field: which kind of target the value names. */
  target: ChannelKind;
  /** For field: dotted path, e.g. `meta.sessionId`. */
  field?: string;
}

export type Routed = { ok: true; channels: string[] } | Rejected;

function channelFor(kind: ChannelKind, id: string): string {
  switch (kind) {
    case 'session':
      return sessionChannel(id);
    case 'customer':
      return customerChannel(id);
    case 'room':
      return roomChannel(id);
    case 'broadcast':
      return BROADCAST_CHANNEL;
  }
}

function fromHeaders(headers: Readonly<Record<string, string>>): string[] | string {
  const channels: string[] = [];
  const broadcast = headers[TargetHeaders.broadcast];
  if (broadcast !== undefined) {
    if (broadcast !== 'true' && broadcast !== '1') return `${TargetHeaders.broadcast} must be "true" or "1"`;
    channels.push(BROADCAST_CHANNEL);
  }
  const single: [ChannelKind, string][] = [
    ['session', TargetHeaders.session],
    ['customer', TargetHeaders.customer],
  ];
  for (const [kind, header] of single) {
    const id = headers[header];
    if (id === undefined) continue;
    if (!isValidTargetId(id)) return `${header} is not a valid id`;
    channels.push(channelFor(kind, id));
  }
  const rooms = headers[TargetHeaders.room];
  if (rooms !== undefined) {
    // A record may name several rooms, comma separated.
    for (const room of rooms.split(',').map((r) => r.trim())) {
      if (!isValidTargetId(room)) return `${TargetHeaders.room} contains an invalid room`;
      channels.push(roomChannel(room));
    }
  }
  return channels;
}

function fieldValue(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function fromValue(kind: ChannelKind, value: unknown, what: string): string[] | string {
  if (kind === 'broadcast') return [BROADCAST_CHANNEL];
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string' || !isValidTargetId(value)) return `${what} does not hold a valid ${kind} id`;
  return [channelFor(kind, value)];
}

/** The channels of a record, deduplicated, in a stable order; no_target when none is named. */
export function routeRecord(record: SourceRecord, data: unknown, settings: RoutingSettings): Routed {
  let result: string[] | string;
  if (settings.source === 'headers') result = fromHeaders(record.headers);
  else if (settings.source === 'key') result = fromValue(settings.target, record.key?.toString('utf8'), 'record key');
  else result = fromValue(settings.target, fieldValue(data, settings.field ?? ''), `field ${settings.field ?? ''}`);
  if (typeof result === 'string') return reject('no_target', result);
  if (result.length === 0) return reject('no_target', 'record names no target (no ces-* target header)');
  return { ok: true, channels: [...new Set(result)] };
}
