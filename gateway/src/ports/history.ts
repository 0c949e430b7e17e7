/**
 * History: per channel a bounded log with gapless integer seq and an epoch (DESIGN.md §3.3).
 * Implemented by adapters/redis/history.ts (Lua, one atomic step per channel) and
 * adapters/memory/history.ts; both pass the same contract suite (adapters/memory/history.contract.ts).
 */
import type { HistoryWindow } from '../core/resume.ts';
import type { ChannelEntry, StoredMessage } from '../core/record.ts';

export interface AppendResult {
  /** 'appended' (new entry, published live), 'duplicate' (same source id seen: existing seq,
   * nothing published) or 'overflow' (an `s:` channel is full of unacked entries and the policy
   * is to reject; nothing written). */
  status: 'appended' | 'duplicate' | 'overflow';
  seq: number;
  epoch: string;
}

export interface AppendOptions {
  /** Idempotency key: `<topic>-<partition>-<offset>`. */
  sourceId: string;
  /** When true and the channel is full of entries newer than its stored ack, reject with 'overflow'. */
  rejectUnackedOverflow: boolean;
}

export interface History {
  /** Appends and publishes live atomically; idempotent per sourceId. */
  append(channel: string, message: StoredMessage, options: AppendOptions): Promise<AppendResult>;
  /** Current epoch/top/oldest; creates the epoch when the channel has none (so clients can pin it). */
  window(channel: string): Promise<HistoryWindow>;
  /** Entries with seq > after, ascending, at most `limit`. Entries of another epoch are never returned. */
  read(channel: string, after: number, limit: number): Promise<{ window: HistoryWindow; entries: ChannelEntry[] }>;
  /**
   * Records the channel-level ack (monotonic, current epoch only), read back as `window.acked`: the
   * overflow policy's measure and, for a session's own channel, its stored resume position.
   */
  ack(channel: string, epoch: string, seq: number): Promise<void>;
  /** Cheap liveness probe (used by the circuit breaker's half-open probe). */
  ping(): Promise<void>;
}
