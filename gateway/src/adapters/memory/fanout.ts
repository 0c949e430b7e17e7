/** In-process fan-out: the twin of adapters/redis/fanout.ts for a single gateway and unit tests. */
import type { EntryListener, Fanout } from '../../ports/fanout.ts';
import type { ChannelEntry } from '../../core/record.ts';

export class MemoryFanout implements Fanout {
  #listeners = new Map<string, Set<EntryListener>>();
  #resync: (() => void)[] = [];

  /** Called by MemoryHistory inside its append, like the Lua script's publish. */
  publish(entry: ChannelEntry): void {
    for (const listener of this.#listeners.get(entry.channel) ?? []) listener(entry);
  }

  async subscribe(channel: string, listener: EntryListener): Promise<void> {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
  }

  async unsubscribe(channel: string, listener: EntryListener): Promise<void> {
    const set = this.#listeners.get(channel);
    set?.delete(listener);
    if (set?.size === 0) this.#listeners.delete(channel);
  }

  onResync(listener: () => void): void {
    this.#resync.push(listener);
  }

  /** Test hook: behave as if the live link had dropped and come back. */
  simulateResync(): void {
    for (const listener of this.#resync) listener();
  }

  /** Number of channels with at least one listener (tests assert subscriptions are released). */
  get channelCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
