/**
 * Runs a reconcile function over a work queue (controller-runtime's controller). Events only
 * enqueue keys — there is no branching on add/update/delete — and every key is also requeued
 * periodically (`resyncMs`) to catch drift in systems that cannot be watched (Kafka).
 *
 * Outcome handling: success → forget backoff, requeue after `requeueAfterMs` or the resync
 * period; TerminalError → forget, wait for the next event; any other error → rate-limited retry.
 */
import { WorkQueue } from './work-queue.ts';
import type { WorkQueueOptions } from './work-queue.ts';
import { isTerminalError, parseKey } from './result.ts';
import type { ObjectKey, ReconcileResult } from './result.ts';

export interface ControllerHooks {
  onResult?(key: string, outcome: 'success' | 'error' | 'requeue', durationMs: number, err?: unknown): void;
  onRetry?(key: string, delayMs: number): void;
}

export interface ControllerOptions extends WorkQueueOptions {
  readonly concurrency: number;
  /** Periodic requeue of every successfully reconciled key; 0 disables. */
  readonly resyncMs: number;
  readonly reconcile: (key: ObjectKey) => Promise<ReconcileResult>;
  readonly hooks?: ControllerHooks;
}

export class Controller {
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions;
  #workers: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.queue = new WorkQueue(options);
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    for (let i = 0; i < Math.max(1, this.#options.concurrency); i++) this.#workers.push(this.#work());
  }

  /** Stops taking keys and waits (up to timeoutMs) for in-flight passes to finish. */
  async stop(timeoutMs: number): Promise<void> {
    this.queue.shutDown();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(this.#workers), timeout]);
    clearTimeout(timer);
    this.#workers = [];
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        const result = await this.#options.reconcile(parseKey(key));
        this.queue.forget(key);
        const after = result.requeueAfterMs ?? this.#options.resyncMs;
        if (after > 0) this.queue.addAfter(key, after);
        this.#options.hooks?.onResult?.(key, result.requeueAfterMs === undefined ? 'success' : 'requeue', performance.now() - started);
      } catch (err) {
        this.#options.hooks?.onResult?.(key, 'error', performance.now() - started, err);
        if (isTerminalError(err)) {
          this.queue.forget(key);
        } else {
          const delay = this.queue.addRateLimited(key);
          this.#options.hooks?.onRetry?.(key, delay);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
