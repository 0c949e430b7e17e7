/**
 * Lease-based leader election (client-go's leaderelection, on coordination.k8s.io/v1 Lease).
 *
 * Guarantees: at most one replica believes it leads at any time, provided clocks advance at
 * similar rates (expiry is judged by the LOCAL time at which the current record was first seen,
 * not by the holder's timestamps, so clock offsets between nodes do not matter). A leader that
 * cannot renew within `renewDeadlineMs` steps down before its Lease can expire for others
 * (renewDeadline < leaseDuration). Acquire/renew are optimistic updates: a 409 means another
 * replica won the race. On stop, a leader releases the Lease so a standby takes over at once.
 */
import { isConflict, isNotFound } from './cluster.ts';
import type { Cluster, KubeObject } from './cluster.ts';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void | Promise<void>;
  onStoppedLeading(): void | Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  readonly #cluster: Cluster;
  readonly #options: LeaderElectionOptions;
  readonly #callbacks: LeaderCallbacks;
  #leading = false;
  #stopped = false;
  #observed = '';
  #observedAt = 0;
  #lastRenew = 0;
  #timer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(cluster: Cluster, options: LeaderElectionOptions, callbacks: LeaderCallbacks) {
    this.#cluster = cluster;
    this.#options = options;
    this.#callbacks = callbacks;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Stops campaigning; a leader steps down and releases the Lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#loop;
    if (this.#leading) {
      this.#leading = false;
      await this.#callbacks.onStoppedLeading();
      await this.#release().catch(() => undefined);
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const ok = await this.#tryAcquireOrRenew().catch(() => false);
      const now = Date.now();
      if (ok) {
        this.#lastRenew = now;
        if (!this.#leading && !this.#stopped) {
          this.#leading = true;
          await this.#callbacks.onStartedLeading();
        }
      } else if (this.#leading && now - this.#lastRenew > this.#options.renewDeadlineMs) {
        this.#leading = false;
        await this.#callbacks.onStoppedLeading();
      }
      await this.#sleep(this.#options.retryPeriodMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }

  #ref() {
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.#options.namespace, name: this.#options.leaseName };
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.ceil(this.#options.leaseDurationMs / 1000);
    const lease = await this.#cluster.get(this.#ref());
    if (!lease) {
      const spec: LeaseSpec = { holderIdentity: this.#options.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      return this.#write(() => this.#cluster.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.#options.leaseName, namespace: this.#options.namespace }, spec }));
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedAt = Date.now();
    }
    const holder = spec.holderIdentity ?? '';
    const mine = holder === this.#options.identity;
    const expired = holder === '' || Date.now() > this.#observedAt + (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (!mine && !expired) return false;
    const next: LeaseSpec = {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    return this.#write(() => this.#cluster.replace({ ...lease, spec: next } as KubeObject));
  }

  async #write(op: () => Promise<KubeObject>): Promise<boolean> {
    try {
      const written = await op();
      const spec = (written.spec ?? {}) as LeaseSpec;
      this.#observed = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
      this.#observedAt = Date.now();
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  async #release(): Promise<void> {
    const lease = await this.#cluster.get(this.#ref());
    const spec = (lease?.spec ?? {}) as LeaseSpec;
    if (!lease || spec.holderIdentity !== this.#options.identity) return;
    await this.#cluster.replace({ ...lease, spec: { ...spec, holderIdentity: null, leaseDurationSeconds: 1 } } as KubeObject);
  }
}
