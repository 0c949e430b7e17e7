/**
 * Keeps informers running. client-node's informer relists by itself on 410 Gone but stops on any
 * other error (API server restart, RBAC change, network); this restarts it with exponential
 * backoff and resets the backoff once a start succeeds. A restarted informer relists, so every
 * object is seen again and nothing changed during the outage is missed (level-based reconcile).
 */
import type { Informer } from './cluster.ts';

export interface RestartPolicy {
  readonly restartBaseMs: number;
  readonly restartMaxMs: number;
}

export interface InformerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

interface Entry {
  readonly name: string;
  readonly informer: Informer;
  failures: number;
  timer?: NodeJS.Timeout;
}

export class InformerSet {
  readonly #policy: RestartPolicy;
  readonly #log: InformerLogger;
  readonly #entries: Entry[] = [];
  #stopped = false;
  #synced = false;

  constructor(policy: RestartPolicy, log: InformerLogger) {
    this.#policy = policy;
    this.#log = log;
  }

  add(name: string, informer: Informer): void {
    const entry: Entry = { name, informer, failures: 0 };
    informer.onError((err) => this.#restartLater(entry, err));
    this.#entries.push(entry);
  }

  /** Starts every informer; resolves when each has listed once (failed starts are retried in the background). */
  async start(): Promise<void> {
    await Promise.all(this.#entries.map((entry) => this.#start(entry)));
    this.#synced = true;
  }

  /** True once every informer completed its first list. */
  get synced(): boolean {
    return this.#synced;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries) clearTimeout(entry.timer);
    await Promise.all(this.#entries.map((entry) => entry.informer.stop()));
  }

  async #start(entry: Entry): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      try {
        await entry.informer.start();
        entry.failures = 0;
        return;
      } catch (err) {
        const delay = this.#delay(entry);
        this.#log.warn({ err, informer: entry.name, retryInMs: delay }, 'Informer failed to start, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  #restartLater(entry: Entry, err: unknown): void {
    if (this.#stopped) return;
    const delay = this.#delay(entry);
    this.#log.warn({ err, informer: entry.name, retryInMs: delay }, 'Informer stopped on an error, restarting');
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.#start(entry), delay);
    entry.timer.unref();
  }

  #delay(entry: Entry): number {
    const delay = Math.min(this.#policy.restartBaseMs * 2 ** entry.failures, this.#policy.restartMaxMs);
    entry.failures += 1;
    return delay;
  }
}
