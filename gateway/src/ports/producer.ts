/**
 * Producing to Kafka (DLQ, inbound topic, push API, DLQ replay): idempotent, acks=all, behind a
 * circuit breaker and retry policy in the adapter. Also reads a DLQ range for replay.
 */
import type { OutboundRecord } from '../core/dlq.ts';
import type { SourceRecord } from '../core/record.ts';
import type { PublishResult } from './inbound.ts';

export interface Producer {
  send(topic: string, record: OutboundRecord): Promise<PublishResult>;
  /** Produces several records in one request (no per-record result). */
  sendBatch(topic: string, records: readonly OutboundRecord[]): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface DlqSelection {
  partition: number;
  /** First offset (inclusive); default: the partition's earliest. */
  fromOffset?: string;
  /** Last offset (inclusive); default: up to `count` records or the high watermark. */
  toOffset?: string;
  /** Upper bound on records read. */
  count: number;
}

/** Reads records of a topic partition range without joining a consumer group. */
export interface TopicReader {
  read(topic: string, selection: DlqSelection): Promise<SourceRecord[]>;
}
