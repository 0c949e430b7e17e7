/**
 * A per-key work queue with client-go's guarantees:
 * - dedupe: a key added many times before it is processed is processed once;
 * - stingy: a key is never handed to two workers at once; re-adding it while it is processed
 *   marks it dirty and it is queued again when the worker calls `done`;
 * - rate-limited retries: `addRateLimited` delays a key by max(per-key exponential backoff,
 *   global token bucket) — client-go's DefaultControllerRateLimiter (5 ms → cap, 10 qps/100 burst).
 */
export interface WorkQueueOptions {
  /** First per-key retry delay; doubles per consecutive failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Global retry budget: tokens added per second. 0 disables the bucket. */
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #now: () => number;
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #tokens: number;
  #tokensAt: number;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.burst;
    this.#tokensAt = this.#now();
  }

  /** Queues a key now (no-op when it is already waiting). */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // re-queued by done()
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
  }

  /** Queues a key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.#now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Queues a failed key after its backoff; returns the delay chosen. */
  addRateLimited(key: string): number {
    const delay = Math.max(this.backoffDelay(key), this.#bucketDelay());
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
    this.addAfter(key, delay);
    return delay;
  }

  /** The per-key delay the next failure of `key` would get. */
  backoffDelay(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    return Math.min(this.#options.baseDelayMs * 2 ** failures, this.#options.maxDelayMs);
  }

  /** Clears a key's failure count (after a successful pass). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Next key to process; waits for one. `undefined` once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks a key processed; if it was re-added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Keys waiting (not counting delayed or in-flight keys). */
  get length(): number {
    return this.#queue.length;
  }

  get inFlight(): number {
    return this.#processing.size;
  }

  /** Stops handing out keys; pending waiters receive `undefined`; delayed keys are dropped. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#dirty.clear();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter(undefined);
  }

  /** Reserves one token of the global bucket; returns how long the caller must wait for it. */
  #bucketDelay(): number {
    const { ratePerSecond, burst } = this.#options;
    if (ratePerSecond <= 0) return 0;
    const now = this.#now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * ratePerSecond);
    this.#tokensAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / ratePerSecond) * 1000);
  }
}
