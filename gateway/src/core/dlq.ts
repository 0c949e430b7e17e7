/**
 * The DLQ record for a rejected source record: original key, value and headers, plus the
 * ces-dlq-* headers (reason, error, original position and time, retry count).
 */
import type { DlqReason } from './decode.ts';
import type { SourceRecord } from './record.ts';

export const DlqHeaders = {
  reason: 'ces-dlq-reason',
  error: 'ces-dlq-error',
  topic: 'ces-dlq-original-topic',
  partition: 'ces-dlq-original-partition',
  offset: 'ces-dlq-original-offset',
  timestamp: 'ces-dlq-original-timestamp',
  retryCount: 'ces-dlq-retry-count',
} as const;

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DlqHeaders));

export interface OutboundRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp?: string;
}

/** Retry count carried by a record that was replayed from the DLQ before (0 when never). */
export function retryCountOf(headers: Readonly<Record<string, string>>): number {
  const n = Number(headers[DlqHeaders.retryCount] ?? '0');
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function dlqRecordOf(record: SourceRecord, reason: DlqReason, error: string): OutboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) if (!DLQ_HEADER_NAMES.has(name)) headers[name] = value;
  headers[DlqHeaders.reason] = reason;
  headers[DlqHeaders.error] = error.slice(0, 500);
  headers[DlqHeaders.topic] = record.topic;
  headers[DlqHeaders.partition] = String(record.partition);
  headers[DlqHeaders.offset] = record.offset;
  headers[DlqHeaders.timestamp] = record.timestamp;
  headers[DlqHeaders.retryCount] = String(retryCountOf(record.headers));
  return { key: record.key, value: record.value, headers };
}

/**
 * The record to re-publish for a DLQ record: same key/value, original headers, retry count + 1.
 * Returns undefined when the DLQ record does not carry an original topic (not written by us).
 */
export function replayRecordOf(dlq: SourceRecord): { topic: string; record: OutboundRecord } | undefined {
  const topic = dlq.headers[DlqHeaders.topic];
  if (topic === undefined || topic.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(dlq.headers)) if (!DLQ_HEADER_NAMES.has(name)) headers[name] = value;
  headers[DlqHeaders.retryCount] = String(retryCountOf(dlq.headers) + 1);
  return { topic, record: { key: dlq.key, value: dlq.value, headers } };
}
