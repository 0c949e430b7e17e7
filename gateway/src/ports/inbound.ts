/**
 * The consumed stream (Kafka in production, an in-memory log in tests) and the client-publish
 * dedupe store. A batch handler resolves offsets only for records that are safely in history
 * or the DLQ; the stream commits only resolved offsets.
 */
import type { SourceRecord } from '../core/record.ts';

export interface Batch {
  topic: string;
  partition: number;
  records: readonly SourceRecord[];
  /** Marks every record up to and including `offset` as done (safe to commit). */
  resolve(offset: string): void;
  /** False once a rebalance took the partition away or the stream is stopping. */
  isActive(): boolean;
  /** High watermark minus the last offset of the batch (for the lag gauge). */
  lag(): string;
}

export type BatchHandler = (batch: Batch) => Promise<void>;

export interface InboundStream {
  /** Starts consuming; resolves once the consumer is running (not necessarily joined). */
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching from every assigned partition (records not resolved are fetched again on resume). */
  pause(): void;
  resume(): void;
  /** True while joined to the group and not crashed. */
  ready(): boolean;
  /** Called with this member's partitions (topic → partitions) after every (re)join. */
  onAssignment(listener: (assigned: Readonly<Record<string, readonly number[]>>) => void): void;
  /** Finishes the in-flight batch, commits, leaves the group. */
  stop(): Promise<void>;
}

export interface PublishResult {
  topic: string;
  partition: number;
  offset: string;
}

/** Remembers client publish ids per session for a TTL so a retried publish is produced once. */
export interface PublishDedupe {
  /** 'new' → caller produces and then calls `complete`; otherwise the earlier result (or 'pending'). */
  claim(sessionId: string, id: string): Promise<{ state: 'new' } | { state: 'pending' } | { state: 'done'; result: PublishResult }>;
  complete(sessionId: string, id: string, result: PublishResult): Promise<void>;
  /** Forgets a claim whose produce failed, so the client's retry can produce. */
  release(sessionId: string, id: string): Promise<void>;
}
