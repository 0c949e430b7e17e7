/**
 * SessionStore: where sessions, their live-connection holder and their cumulative acks live.
 * Two implementations with one contract suite (adapters/memory/session-store.contract.ts):
 * MemorySessionStore (single node) and RedisSessionStore (fleet; all keys of one session share
 * the hash tag `{<sessionId>}` so it runs unchanged on Redis Cluster).
 *
 * Guarantees every implementation gives:
 * - A session is `created` (minted, not yet registered), `registered`, or `revoked`. Past
 *   `expiresAt` it reads as `expired`. Expired and revoked sessions are kept as tombstones for
 *   `tombstoneMs` so refusals can say why; after that `get` returns undefined.
 * - `count()` counts live (unexpired, unrevoked) sessions; `create`/`registerClaims` refuse with
 *   'capacity' at `max`. Under concurrent creates on a fleet the bound may be passed by the
 *   number of racing gateways (the count and the session live in different Redis slots).
 * - `saveAck` never lowers a channel's ack; acks live and expire with their session.
 * - `claimHolder` atomically records the new live connection and returns the previous one;
 *   `releaseHolder` clears it only if it is still the given connection.
 */
export type SessionState = 'created' | 'registered' | 'revoked' | 'expired';

export interface Holder {
  node: string;
  connId: string;
}

export interface Session {
  sessionId: string;
  customerId: string;
  rooms: readonly string[];
  state: SessionState;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; refreshed while connected. */
  expiresAt: number;
  /** Lifetime granted on each refresh, ms. */
  ttlMs: number;
  holder: Holder | undefined;
}

export interface NewSession {
  sessionId: string;
  customerId: string;
  rooms: readonly string[];
  ttlMs: number;
}

export type CreateResult = 'created' | 'exists' | 'capacity';
export type RegisterResult = { ok: true; session: Session } | { ok: false; reason: 'not_found' | 'expired' | 'revoked' | 'capacity' };

export interface SessionStore {
  /** Mints a session in state `created` (registry mode). */
  create(session: NewSession, max: number): Promise<CreateResult>;
  get(sessionId: string): Promise<Session | undefined>;
  /** `created`/`registered` → `registered` with a fresh expiry. */
  register(sessionId: string): Promise<RegisterResult>;
  /**
   * jwt mode: records a verified token's session as `registered` (creating it if new), keeping
   * a revoked tombstone revoked. `ttlMs` is capped by the token's own expiry by the caller.
   */
  registerClaims(session: NewSession, max: number): Promise<RegisterResult>;
  /** Marks the session revoked; returns the holder to notify, or undefined when unknown. */
  revoke(sessionId: string): Promise<{ holder: Holder | undefined } | undefined>;
  /** Pushes expiry to now + ttl for a live session; false when it is gone, revoked or expired. */
  refresh(sessionId: string): Promise<boolean>;
  claimHolder(sessionId: string, holder: Holder): Promise<Holder | undefined>;
  releaseHolder(sessionId: string, connId: string): Promise<void>;
  saveAck(sessionId: string, channel: string, seq: number): Promise<void>;
  getAcks(sessionId: string): Promise<Record<string, number>>;
  /** Live sessions. */
  count(): Promise<number>;
  /** Drops expired sessions from the count (data expires by TTL); returns how many. */
  sweep(): Promise<number>;
  /** Throws when the store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SessionStoreOptions {
  /** How long expired/revoked sessions are remembered, ms. */
  tombstoneMs: number;
  /** Clock, epoch ms (tests). */
  now?: () => number;
}
