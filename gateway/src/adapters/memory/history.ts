/**
 * In-memory history: the twin of adapters/redis/history.ts with the same observable contract
 * (gapless seq, epoch, count cap, idempotent append, overflow policy, atomic publish). No TTL:
 * `lose()` stands in for an expired or flushed history in tests.
 */
import { randomBytes } from 'node:crypto';
import type { AppendOptions, AppendResult, History } from '../../ports/history.ts';
import type { HistoryWindow } from '../../core/resume.ts';
import type { ChannelEntry, StoredMessage } from '../../core/record.ts';
import type { MemoryFanout } from './fanout.ts';

interface ChannelLog {
  epoch: string;
  top: number;
  acked: number;
  entries: ChannelEntry[];
  sources: Map<string, number>;
}

export interface MemoryHistorySettings {
  maxEntries: number;
  dedupeWindow: number;
}

export class MemoryHistory implements History {
  #channels = new Map<string, ChannelLog>();
  #settings: MemoryHistorySettings;
  #fanout: MemoryFanout;
  /** Test hook: when set, every call rejects with it (a Redis outage). */
  failWith: Error | undefined;

  constructor(settings: MemoryHistorySettings, fanout: MemoryFanout) {
    this.#settings = { ...settings, dedupeWindow: Math.max(settings.dedupeWindow, settings.maxEntries) };
    this.#fanout = fanout;
  }

  #log(channel: string): ChannelLog {
    let log = this.#channels.get(channel);
    if (!log) {
      log = { epoch: randomBytes(8).toString('hex'), top: 0, acked: 0, entries: [], sources: new Map() };
      this.#channels.set(channel, log);
    }
    return log;
  }

  #check(): void {
    if (this.failWith) throw this.failWith;
  }

  #window(log: ChannelLog): HistoryWindow {
    return { epoch: log.epoch, top: log.top, oldest: log.entries[0]?.seq ?? log.top + 1, acked: log.acked };
  }

  async append(channel: string, message: StoredMessage, options: AppendOptions): Promise<AppendResult> {
    this.#check();
    const log = this.#log(channel);
    const existing = log.sources.get(options.sourceId);
    if (existing !== undefined) return { status: 'duplicate', seq: existing, epoch: log.epoch };
    const oldest = log.entries[0];
    if (options.rejectUnackedOverflow && log.entries.length >= this.#settings.maxEntries && oldest && oldest.seq > log.acked) {
      return { status: 'overflow', seq: log.top, epoch: log.epoch };
    }
    const entry: ChannelEntry = { channel, seq: log.top + 1, epoch: log.epoch, message: structuredClone(message) };
    log.top = entry.seq;
    log.entries.push(entry);
    if (log.entries.length > this.#settings.maxEntries) log.entries.shift();
    log.sources.set(options.sourceId, entry.seq);
    for (const [id, seq] of log.sources) {
      if (seq > entry.seq - this.#settings.dedupeWindow) break;
      log.sources.delete(id);
    }
    this.#fanout.publish(entry);
    return { status: 'appended', seq: entry.seq, epoch: log.epoch };
  }

  async window(channel: string): Promise<HistoryWindow> {
    this.#check();
    return this.#window(this.#log(channel));
  }

  async read(channel: string, after: number, limit: number): Promise<{ window: HistoryWindow; entries: ChannelEntry[] }> {
    this.#check();
    const log = this.#log(channel);
    const entries = log.entries.filter((e) => e.seq > after).slice(0, limit);
    return { window: this.#window(log), entries: entries.map((e) => structuredClone(e)) };
  }

  async ack(channel: string, epoch: string, seq: number): Promise<void> {
    this.#check();
    const log = this.#channels.get(channel);
    if (log && log.epoch === epoch && seq <= log.top && seq > log.acked) log.acked = seq;
  }

  async ping(): Promise<void> {
    this.#check();
  }

  /** Test hook: the entries expired (idle channel) but epoch and top remain, like the Redis meta TTL. */
  expireEntries(channel: string): void {
    const log = this.#channels.get(channel);
    if (log) log.entries = [];
  }

  /** Test hook: the channel's history is gone (expired, Redis flushed); the next use starts a new epoch. */
  lose(channel: string): void {
    this.#channels.delete(channel);
  }
}
