/**
 * SessionStore in a Map: the single-node default when no Redis is configured. Same contract as
 * the Redis store (session-store.contract.ts); expiry is evaluated on read plus the sweeper.
 */
import type { CreateResult, Holder, NewSession, RegisterResult, Session, SessionStore, SessionStoreOptions } from '../../ports/session-store.ts';

interface Entry {
  session: Session;
  acks: Map<string, number>;
  /** Epoch ms after which the entry is forgotten entirely. */
  forgetAt: number;
}

export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #tombstoneMs: number;
  readonly #now: () => number;
  /** Live sessions, kept on every transition; recounted by a scan only near capacity or on sweep. */
  #liveCount = 0;

  constructor(options: SessionStoreOptions) {
    this.#tombstoneMs = options.tombstoneMs;
    this.#now = options.now ?? Date.now;
  }

  async create(s: NewSession, max: number): Promise<CreateResult> {
    if (this.#read(s.sessionId)) return 'exists';
    if (this.#atCapacity(max)) return 'capacity';
    this.#put({ ...s, rooms: [...s.rooms], state: 'created', createdAt: this.#now(), expiresAt: this.#now() + s.ttlMs, holder: undefined });
    return 'created';
  }

  async get(sessionId: string): Promise<Session | undefined> {
    const entry = this.#read(sessionId);
    return entry ? structuredClone(entry.session) : undefined;
  }

  async register(sessionId: string): Promise<RegisterResult> {
    const entry = this.#read(sessionId);
    if (!entry) return { ok: false, reason: 'not_found' };
    const { session } = entry;
    if (session.state === 'revoked' || session.state === 'expired') return { ok: false, reason: session.state };
    session.state = 'registered';
    this.#extend(entry);
    return { ok: true, session: structuredClone(session) };
  }

  async registerClaims(s: NewSession, max: number): Promise<RegisterResult> {
    const entry = this.#read(s.sessionId);
    if (entry?.session.state === 'revoked') return { ok: false, reason: 'revoked' };
    if (entry && entry.session.state !== 'expired') {
      Object.assign(entry.session, { state: 'registered', customerId: s.customerId, rooms: [...s.rooms], ttlMs: s.ttlMs });
      this.#extend(entry);
      return { ok: true, session: structuredClone(entry.session) };
    }
    if (this.#atCapacity(max)) return { ok: false, reason: 'capacity' };
    const session: Session = { ...s, rooms: [...s.rooms], state: 'registered', createdAt: this.#now(), expiresAt: this.#now() + s.ttlMs, holder: undefined };
    this.#put(session);
    return { ok: true, session: structuredClone(session) };
  }

  async revoke(sessionId: string): Promise<{ holder: Holder | undefined } | undefined> {
    const entry = this.#read(sessionId);
    if (!entry) return undefined;
    const holder = entry.session.holder;
    if (isLive(entry.session)) this.#liveCount--;
    entry.session.state = 'revoked';
    entry.session.holder = undefined;
    entry.forgetAt = Math.max(entry.forgetAt, this.#now() + this.#tombstoneMs);
    return { holder };
  }

  async refresh(sessionId: string): Promise<boolean> {
    const entry = this.#read(sessionId);
    if (!entry || entry.session.state === 'revoked' || entry.session.state === 'expired') return false;
    this.#extend(entry);
    return true;
  }

  async claimHolder(sessionId: string, holder: Holder): Promise<Holder | undefined> {
    const entry = this.#read(sessionId);
    if (!entry) return undefined;
    const previous = entry.session.holder;
    entry.session.holder = { ...holder };
    return previous;
  }

  async releaseHolder(sessionId: string, connId: string): Promise<void> {
    const entry = this.#read(sessionId);
    if (entry?.session.holder?.connId === connId) entry.session.holder = undefined;
  }

  async saveAck(sessionId: string, channel: string, seq: number): Promise<void> {
    const entry = this.#read(sessionId);
    if (!entry) return;
    if ((entry.acks.get(channel) ?? -Infinity) < seq) entry.acks.set(channel, seq);
  }

  async getAcks(sessionId: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.#read(sessionId)?.acks ?? []);
  }

  async count(): Promise<number> {
    this.#scan();
    return this.#liveCount;
  }

  async sweep(): Promise<number> {
    const before = this.#liveCount;
    this.#scan();
    return before - this.#liveCount;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  #put(session: Session): void {
    this.#liveCount++;
    this.#entries.set(session.sessionId, { session, acks: new Map(), forgetAt: session.expiresAt + this.#tombstoneMs });
  }

  #extend(entry: Entry): void {
    entry.session.expiresAt = this.#now() + entry.session.ttlMs;
    entry.forgetAt = entry.session.expiresAt + this.#tombstoneMs;
  }

  /** Reads an entry, applying expiry and forgetting. */
  #read(sessionId: string): Entry | undefined {
    const entry = this.#entries.get(sessionId);
    if (!entry) return undefined;
    const now = this.#now();
    if (isLive(entry.session) && entry.session.expiresAt <= now) {
      this.#liveCount--;
      entry.session.state = 'expired';
      entry.session.holder = undefined;
    }
    if (entry.forgetAt <= now) {
      this.#entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  /** Applies expiry to every entry, so #liveCount is exact. */
  #scan(): void {
    for (const id of [...this.#entries.keys()]) this.#read(id);
  }

  #atCapacity(max: number): boolean {
    if (this.#liveCount < max) return false;
    this.#scan();
    return this.#liveCount >= max;
  }
}

function isLive(session: Session): boolean {
  return session.state === 'created' || session.state === 'registered';
}
