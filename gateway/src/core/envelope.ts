/**
 * envelope: the stored message for a record and the `message` frame a session receives
 * (seed 000 §6.2 fields plus channel, seq, epoch, traceId).
 */
import type { MessageFrame } from '@ces/contracts/protocol';
import type { ChannelEntry, SourceRecord, StoredMessage } from './record.ts';
import { sourceId } from './record.ts';

export const MESSAGE_ID_HEADER = 'ces-message-id';
export const EVENT_HEADER = 'ces-event';
export const TRACEPARENT_HEADER = 'traceparent';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C `traceparent` header (its 2nd field), or undefined when absent or invalid. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim().toLowerCase());
  const id = match?.[1];
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}

/** Stable across redelivery: the header `ces-message-id` if present, else `<topic>-<partition>-<offset>`. */
export function messageIdOf(record: SourceRecord): string {
  const header = record.headers[MESSAGE_ID_HEADER];
  return header !== undefined && header.length > 0 && header.length <= 200 ? header : sourceId(record);
}

function isoTime(timestampMs: string): string {
  const ms = Number(timestampMs);
  return Number.isFinite(ms) && ms >= 0 ? new Date(ms).toISOString() : new Date(0).toISOString();
}

export function storedMessageOf(record: SourceRecord, data: unknown): StoredMessage {
  const message: StoredMessage = {
    messageId: messageIdOf(record),
    timestamp: isoTime(record.timestamp),
    data,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
  };
  const event = record.headers[EVENT_HEADER];
  if (event !== undefined && event.length > 0) message.event = event;
  const traceId = traceIdOf(record.headers[TRACEPARENT_HEADER]);
  if (traceId !== undefined) message.traceId = traceId;
  return message;
}

/** The frame for one receiving session. */
export function messageFrame(entry: ChannelEntry, sessionId: string): MessageFrame {
  const { message } = entry;
  const frame: MessageFrame = {
    type: 'message',
    messageId: message.messageId,
    sessionId,
    timestamp: message.timestamp,
    data: message.data,
    source: message.source.topic,
    channel: entry.channel,
    seq: entry.seq,
    epoch: entry.epoch,
  };
  if (message.event !== undefined) frame.event = message.event;
  if (message.traceId !== undefined) frame.traceId = message.traceId;
  return frame;
}
