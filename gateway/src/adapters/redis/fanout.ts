/**
 * Live fan-out over Redis pub/sub: sharded (SSUBSCRIBE, Redis >= 7, and on Cluster one
 * subscriber per shard) or classic. One subscription per channel per process, shared by all
 * local listeners. The history-append script publishes; this side only listens.
 * Guarantee: at-most-once (pub/sub); after a reconnect `onResync` listeners are told so they can
 * fill gaps from history.
 */
import { Cluster, type Redis } from 'ioredis';
import type { EntryListener, Fanout } from '../../ports/fanout.ts';
import type { StoredMessage } from '../../core/record.ts';
import { channelKeys, channelOfLive, parseLivePayload } from './history-keys.ts';

export interface RedisFanoutSettings {
  keyPrefix: string;
  sharded: boolean;
}

export class RedisFanout implements Fanout {
  #sub: Redis | Cluster;
  #settings: RedisFanoutSettings;
  #listeners = new Map<string, Set<EntryListener>>();
  #subscribed = new Map<string, Promise<void>>();
  #resync: (() => void)[] = [];
  #readyOnce = false;

  /** `client` is duplicated into a dedicated subscriber connection. */
  constructor(client: Redis | Cluster, settings: RedisFanoutSettings) {
    this.#settings = settings;
    this.#sub = client instanceof Cluster ? client.duplicate(undefined, { shardedSubscribers: settings.sharded }) : client.duplicate();
    this.#sub.on(settings.sharded ? 'smessage' : 'message', (live: string, payload: string) => this.#onMessage(live, payload));
    this.#sub.on('ready', () => this.#onReady());
    // Errors surface through failed commands; the connection reconnects on its own.
    this.#sub.on('error', () => undefined);
  }

  #onReady(): void {
    if (!this.#readyOnce) {
      this.#readyOnce = true;
      return;
    }
    for (const listener of this.#resync) listener();
  }

  #onMessage(live: string, payload: string): void {
    const channel = channelOfLive(this.#settings.keyPrefix, live);
    const parsed = parseLivePayload(payload);
    const listeners = channel === undefined ? undefined : this.#listeners.get(channel);
    if (!channel || !parsed || !listeners) return;
    const entry = { channel, seq: parsed.seq, epoch: parsed.epoch, message: JSON.parse(parsed.json) as StoredMessage };
    for (const listener of listeners) listener(entry);
  }

  async subscribe(channel: string, listener: EntryListener): Promise<void> {
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
      const live = channelKeys(this.#settings.keyPrefix, channel).live;
      const done = (this.#settings.sharded ? this.#sub.ssubscribe(live) : this.#sub.subscribe(live)).then(() => undefined);
      this.#subscribed.set(channel, done);
      done.catch(() => {
        if (this.#subscribed.get(channel) === done) {
          this.#subscribed.delete(channel);
          this.#listeners.delete(channel);
        }
      });
    }
    set.add(listener);
    try {
      await this.#subscribed.get(channel);
    } catch (err) {
      set.delete(listener);
      throw err;
    }
  }

  async unsubscribe(channel: string, listener: EntryListener): Promise<void> {
    const set = this.#listeners.get(channel);
    if (!set?.delete(listener) || set.size > 0) return;
    this.#listeners.delete(channel);
    this.#subscribed.delete(channel);
    const live = channelKeys(this.#settings.keyPrefix, channel).live;
    await (this.#settings.sharded ? this.#sub.sunsubscribe(live) : this.#sub.unsubscribe(live)).catch(() => undefined);
  }

  onResync(listener: () => void): void {
    this.#resync.push(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#sub.disconnect();
  }
}
