/**
 * Live fan-out: a gateway subscribes to the channels of its connected sessions and hears every
 * entry appended to them anywhere in the fleet (Redis sharded pub/sub, or an in-process bus).
 * Delivery is at-most-once; gaps are detected by seq and filled from history by the caller.
 */
import type { ChannelEntry } from '../core/record.ts';

export type EntryListener = (entry: ChannelEntry) => void;

export interface Fanout {
  /** Resolves once the subscription is active: every entry appended after that is heard. */
  subscribe(channel: string, listener: EntryListener): Promise<void>;
  unsubscribe(channel: string, listener: EntryListener): Promise<void>;
  /** Called after the live link was interrupted and restored: entries may have been missed. */
  onResync(listener: () => void): void;
  close(): Promise<void>;
}
