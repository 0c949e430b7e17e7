/**
 * Strict parsing of what a client sends: ces.v1 frames (contracts/protocol.ts) and the `resume`
 * query parameter. Pure; anything unexpected is an `Invalid` with an error-frame code, never a
 * throw. Unknown fields are refused so a typo in a client is loud rather than silently ignored.
 */
import type { ClientFrame, ResumePositions } from '@ces/contracts/protocol';

/** `code` values of `error` frames the edge sends (docs/gateway-edge.md). */
export const FrameErrorCodes = {
  INVALID_FRAME: 'Frame is not a valid ces.v1 client frame',
  BINARY_NOT_SUPPORTED: 'Binary frames are not supported; send JSON text frames',
  INTERNAL: 'The frame could not be processed; retry',
} as const;
export type FrameErrorCode = keyof typeof FrameErrorCodes;

export interface Invalid {
  invalid: true;
  code: FrameErrorCode;
  message: string;
  id?: string;
}

const CHANNEL = /^(?:[scr]:[A-Za-z0-9_.:-]{1,128}|\*)$/;
const ROOM = /^[A-Za-z0-9_.:-]{1,128}$/;
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const EVENT = /^[A-Za-z0-9_.:/-]{1,128}$/;

const fields: Record<ClientFrame['type'], readonly string[]> = {
  ack: ['type', 'channel', 'seq'],
  ping: ['type', 'id'],
  publish: ['type', 'id', 'event', 'data'],
  subscribe: ['type', 'room'],
  unsubscribe: ['type', 'room'],
};

function invalid(message: string, id?: unknown): Invalid {
  return { invalid: true, code: 'INVALID_FRAME', message, ...(typeof id === 'string' && ID.test(id) ? { id } : {}) };
}

const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function parseClientFrame(text: string): ClientFrame | Invalid {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('Frame is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return invalid('Frame must be a JSON object');
  const f = value as Record<string, unknown>;
  const type = f.type;
  if (typeof type !== 'string' || !Object.hasOwn(fields, type)) return invalid('Unknown frame type', f.id);
  const extra = Object.keys(f).filter((k) => !fields[type as ClientFrame['type']].includes(k));
  if (extra.length > 0) return invalid(`Unknown field(s): ${extra.slice(0, 3).join(', ')}`.slice(0, 200), f.id);
  switch (type) {
    case 'ack':
      if (typeof f.channel !== 'string' || !CHANNEL.test(f.channel) || !isSeq(f.seq)) return invalid('ack needs channel and a non-negative integer seq');
      return { type, channel: f.channel, seq: f.seq };
    case 'ping':
      if (f.id !== undefined && (typeof f.id !== 'string' || !ID.test(f.id))) return invalid('ping id must be a short string');
      return f.id === undefined ? { type } : { type, id: f.id as string };
    case 'publish':
      if (typeof f.id !== 'string' || !ID.test(f.id)) return invalid('publish needs an id (1-128 chars of [A-Za-z0-9_.:-])');
      if (typeof f.event !== 'string' || !EVENT.test(f.event)) return invalid('publish needs an event name', f.id);
      if (!('data' in f)) return invalid('publish needs data', f.id);
      return { type, id: f.id, event: f.event, data: f.data };
    default:
      if (typeof f.room !== 'string' || !ROOM.test(f.room)) return invalid(`${type} needs a room name`);
      return { type: type as 'subscribe' | 'unsubscribe', room: f.room };
  }
}

const MAX_RESUME_CHANNELS = 256;

/** `resume=<base64url(JSON)>`: {channel: {seq, epoch}}. Undefined param → {}. */
export function parseResume(param: string | null): ResumePositions | Invalid {
  if (param === null || param === '') return {};
  if (param.length > 16384 || !/^[A-Za-z0-9_-]+$/.test(param)) return invalid('resume must be base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(param, 'base64url').toString('utf8'));
  } catch {
    return invalid('resume must be base64url-encoded JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return invalid('resume must be an object of channel → {seq, epoch}');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_RESUME_CHANNELS) return invalid(`resume names more than ${MAX_RESUME_CHANNELS} channels`);
  const out: ResumePositions = {};
  for (const [channel, pos] of entries) {
    if (!CHANNEL.test(channel)) return invalid('resume has an invalid channel name');
    const p = pos as Record<string, unknown> | null;
    if (p === null || typeof p !== 'object' || Object.keys(p).some((k) => k !== 'seq' && k !== 'epoch')) return invalid('resume positions are {seq, epoch}');
    if (!isSeq(p.seq) || typeof p.epoch !== 'string' || p.epoch.length > 64) return invalid('resume positions need an integer seq and an epoch string');
    out[channel] = { seq: p.seq, epoch: p.epoch };
  }
  return out;
}
