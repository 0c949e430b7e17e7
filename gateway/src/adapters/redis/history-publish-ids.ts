/**
 * PublishDedupe on Redis: a client publish id is claimed with SET NX EX (script publish-claim.lua)
 * and replaced by the produce result, so a retried publish — on any gateway — is produced once
 * and answered with the first result. Keys: `<prefix>{pub:<sessionId>}:<id>`.
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import type { PublishDedupe, PublishResult } from '../../ports/inbound.ts';

interface ClaimCommand {
  cesPublishClaim(key: string, ttl: number): Promise<string | null>;
}

export class RedisPublishDedupe implements PublishDedupe {
  #redis: Redis | Cluster;
  #prefix: string;
  #ttlSeconds: number;

  constructor(client: Redis | Cluster, keyPrefix: string, ttlSeconds: number) {
    if (!(client as unknown as Partial<ClaimCommand>).cesPublishClaim) {
      client.defineCommand('cesPublishClaim', { numberOfKeys: 1, lua: readFileSync(new URL('./scripts/publish-claim.lua', import.meta.url), 'utf8') });
    }
    this.#redis = client;
    this.#prefix = keyPrefix;
    this.#ttlSeconds = ttlSeconds;
  }

  #key(sessionId: string, id: string): string {
    return `${this.#prefix}{pub:${sessionId}}:${id}`;
  }

  async claim(sessionId: string, id: string): Promise<{ state: 'new' } | { state: 'pending' } | { state: 'done'; result: PublishResult }> {
    const value = await (this.#redis as unknown as ClaimCommand).cesPublishClaim(this.#key(sessionId, id), this.#ttlSeconds);
    if (value === 'new') return { state: 'new' };
    // A claim that expired between SET and GET counts as pending: the client retries.
    if (value === null || value === 'pending') return { state: 'pending' };
    return { state: 'done', result: JSON.parse(value) as PublishResult };
  }

  async complete(sessionId: string, id: string, result: PublishResult): Promise<void> {
    await this.#redis.set(this.#key(sessionId, id), JSON.stringify(result), 'EX', this.#ttlSeconds);
  }

  async release(sessionId: string, id: string): Promise<void> {
    await this.#redis.del(this.#key(sessionId, id));
  }
}
