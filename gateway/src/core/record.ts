/**
 * The shapes that flow through the pure core: a consumed Kafka record (bytes, as the broker gave
 * them) and the message stored in a channel's history. No I/O types leak in here.
 */

/** One consumed record. Headers are decoded to UTF-8 strings (the last value wins on repeats). */
export interface SourceRecord {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (int64). */
  offset: string;
  /** Kafka record timestamp, epoch ms as a decimal string. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Readonly<Record<string, string>>;
}

/** What a channel's history stores per entry; seq and epoch are assigned by the history. */
export interface StoredMessage {
  messageId: string;
  /** ISO-8601 time of the Kafka record. */
  timestamp: string;
  data: unknown;
  source: { topic: string; partition: number; offset: string };
  event?: string;
  traceId?: string;
}

/** A history entry as read back or received live: the stored message plus its position. */
export interface ChannelEntry {
  channel: string;
  seq: number;
  epoch: string;
  message: StoredMessage;
}

/** Idempotency key of a source position: the same record always maps to the same id. */
export function sourceId(record: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${record.topic}-${record.partition}-${record.offset}`;
}
