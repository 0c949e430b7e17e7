/**
 * The client side of one system, as the worker drives it. Each implementation uses that system's
 * own client library (or, for CES, its documented wire protocol) the way its docs recommend, with
 * the same reconnect delay everywhere (RECONNECT_DELAY_MS, jittered) so storm figures compare.
 */
import type { SessionSpec } from '../payload.ts';

/** First reconnect attempt after a drop, ms; each library adds its own jitter on top. */
export const RECONNECT_DELAY_MS = 50;
/** Upper bound of any library's reconnect backoff, ms. */
export const RECONNECT_DELAY_MAX_MS = 1000;

export interface BenchConnection {
  /** Target key whose records this session receives: spec.target, or (CES) the minted session id. */
  target(): string;
  /** Resolves when the session can receive (welcome / connect / subscribed); rejects on failure. */
  readonly ready: Promise<void>;
  /**
   * Drops the transport without a goodbye (a network failure as the client sees it) and lets the
   * library reconnect and resume by itself. Resolves with whether the system reported the missed
   * messages as recovered, once the session can receive again.
   */
  drop(): Promise<boolean>;
  close(): void;
}

/** Called with whatever the library hands the app for one message (a string or a decoded object). */
export type OnData = (data: unknown) => void;

export type Connect = (spec: SessionSpec, onData: OnData) => BenchConnection;

/**
 * A step a system needs before a session can connect (CES: the backend mints the session, the app
 * registers it). The worker runs it for every session before opening any, so the idle-memory
 * baseline is taken after it; `connect` receives the spec it returns.
 */
export type Register = (spec: SessionSpec) => Promise<SessionSpec>;

/** A promise plus its resolvers, for event-driven readiness. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
