/**
 * SessionStore on Redis (fleet mode). Each session is a hash plus an acks hash sharing the hash
 * tag `{<sessionId>}`; every state change is one Lua script on that slot (session-scripts.ts).
 * The live-session count is a sorted set `<prefix>:sessions` scored by expiry: exact on read,
 * trimmed by sweep(); its updates follow the session write (a separate slot), so the capacity
 * bound is soft under concurrent creates (see ports/session-store.ts).
 */
import type { Redis } from 'ioredis';
import type { CreateResult, Holder, NewSession, RegisterResult, Session, SessionState, SessionStore, SessionStoreOptions } from '../../ports/session-store.ts';
import type { RedisConnection } from './redis-client.ts';
import * as scripts from './session-scripts.ts';

type ScriptName = keyof typeof scripts;
type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

export class RedisSessionStore implements SessionStore {
  readonly #redis: RedisConnection;
  readonly #tombstoneMs: number;
  readonly #now: () => number;
  readonly #index: string;

  constructor(redis: RedisConnection, options: SessionStoreOptions) {
    this.#redis = redis;
    this.#tombstoneMs = options.tombstoneMs;
    this.#now = options.now ?? Date.now;
    this.#index = redis.key('sessions');
    for (const [name, lua] of Object.entries(scripts)) {
      const numberOfKeys = /KEYS\[2\]/.test(lua) ? 2 : 1;
      (redis.cmd as Redis).defineCommand(`ces_${name}`, { numberOfKeys, lua });
    }
  }

  async create(s: NewSession, max: number): Promise<CreateResult> {
    if ((await this.count()) >= max) {
      return (await this.#exists(s.sessionId)) ? 'exists' : 'capacity';
    }
    const now = this.#now();
    const result = (await this.#run('createSession', this.#key(s.sessionId), s.customerId, JSON.stringify(s.rooms), now, s.ttlMs, this.#tombstoneMs)) as CreateResult;
    if (result === 'created') await this.#redis.cmd.zadd(this.#index, now + s.ttlMs, s.sessionId);
    return result;
  }

  async get(sessionId: string): Promise<Session | undefined> {
    const fields = await this.#redis.cmd.hgetall(this.#key(sessionId));
    return Object.keys(fields).length === 0 ? undefined : this.#parse(sessionId, fields);
  }

  async register(sessionId: string): Promise<RegisterResult> {
    const reply = await this.#run('registerSession', this.#key(sessionId), this.#acksKey(sessionId), this.#now(), this.#tombstoneMs);
    return this.#registered(sessionId, reply);
  }

  async registerClaims(s: NewSession, max: number): Promise<RegisterResult> {
    const allowNew = (await this.count()) < max ? '1' : '0';
    const keys = [this.#key(s.sessionId), this.#acksKey(s.sessionId)];
    const reply = await this.#run('registerClaims', ...keys, s.customerId, JSON.stringify(s.rooms), this.#now(), s.ttlMs, this.#tombstoneMs, allowNew);
    return this.#registered(s.sessionId, reply);
  }

  async revoke(sessionId: string): Promise<{ holder: Holder | undefined } | undefined> {
    const reply = (await this.#run('revokeSession', this.#key(sessionId), this.#tombstoneMs)) as [string, string] | null;
    await this.#redis.cmd.zrem(this.#index, sessionId);
    return reply ? { holder: toHolder(reply) } : undefined;
  }

  async refresh(sessionId: string): Promise<boolean> {
    const expiresAt = Number(await this.#run('refreshSession', this.#key(sessionId), this.#acksKey(sessionId), this.#now(), this.#tombstoneMs));
    if (expiresAt > 0) await this.#redis.cmd.zadd(this.#index, expiresAt, sessionId);
    return expiresAt > 0;
  }

  async claimHolder(sessionId: string, holder: Holder): Promise<Holder | undefined> {
    const reply = (await this.#run('claimHolder', this.#key(sessionId), holder.node, holder.connId)) as [string, string] | null;
    return reply ? toHolder(reply) : undefined;
  }

  async releaseHolder(sessionId: string, connId: string): Promise<void> {
    await this.#run('releaseHolder', this.#key(sessionId), connId);
  }

  async saveAck(sessionId: string, channel: string, seq: number): Promise<void> {
    await this.#run('saveAck', this.#key(sessionId), this.#acksKey(sessionId), channel, seq);
  }

  async getAcks(sessionId: string): Promise<Record<string, number>> {
    const raw = await this.#redis.cmd.hgetall(this.#acksKey(sessionId));
    return Object.fromEntries(Object.entries(raw).map(([channel, seq]) => [channel, Number(seq)]));
  }

  async count(): Promise<number> {
    return this.#redis.cmd.zcount(this.#index, `(${this.#now()}`, '+inf');
  }

  async sweep(): Promise<number> {
    return this.#redis.cmd.zremrangebyscore(this.#index, '-inf', this.#now());
  }

  async ping(): Promise<void> {
    await this.#redis.cmd.ping();
  }

  /** The connection is shared (delivery uses it too); its owner closes it. */
  async close(): Promise<void> {}

  #key(sessionId: string): string {
    return this.#redis.key('session', `{${sessionId}}`);
  }
  #acksKey(sessionId: string): string {
    return this.#redis.key('session', `{${sessionId}}`, 'acks');
  }

  async #exists(sessionId: string): Promise<boolean> {
    return (await this.#redis.cmd.exists(this.#key(sessionId))) === 1;
  }

  #run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    const fn = (this.#redis.cmd as unknown as Record<string, ScriptFn>)[`ces_${name}`]!;
    return fn.call(this.#redis.cmd, ...args);
  }

  async #registered(sessionId: string, reply: unknown): Promise<RegisterResult> {
    if (typeof reply === 'string') return { ok: false, reason: reply as 'not_found' | 'expired' | 'revoked' | 'capacity' };
    const flat = reply as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    const session = this.#parse(sessionId, fields);
    await this.#redis.cmd.zadd(this.#index, session.expiresAt, sessionId);
    return { ok: true, session };
  }

  #parse(sessionId: string, f: Record<string, string>): Session {
    const expiresAt = Number(f.expiresAt);
    let state = (f.state ?? 'created') as SessionState;
    if (state !== 'revoked' && expiresAt <= this.#now()) state = 'expired';
    const live = state === 'created' || state === 'registered';
    return {
      sessionId,
      customerId: f.customerId ?? '',
      rooms: JSON.parse(f.rooms ?? '[]') as string[],
      state,
      createdAt: Number(f.createdAt),
      expiresAt,
      ttlMs: Number(f.ttlMs),
      holder: live && f.holderConn ? { node: f.holderNode ?? '', connId: f.holderConn } : undefined,
    };
  }
}

function toHolder([node, connId]: [string, string]): Holder | undefined {
  return connId ? { node, connId } : undefined;
}
