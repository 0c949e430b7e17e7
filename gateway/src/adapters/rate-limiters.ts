/**
 * Rate limiters on rate-limiter-flexible: fleet-wide on Redis (one counter key per client key
 * under `<prefix>:rl:<name>`, atomic INCR+EXPIRE script; single-key, so Cluster-safe), or per
 * process in memory. `points = 0` disables a limiter (always allowed).
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateDecision, RateLimiter } from '../ports/rate-limiter.ts';
import type { RedisConnection } from './redis/redis-client.ts';

export interface LimiterSpec {
  name: string;
  points: number;
  durationSeconds: number;
}

export function createRateLimiter(spec: LimiterSpec, redis: RedisConnection | undefined): RateLimiter {
  if (spec.points <= 0) return { consume: async () => ({ allowed: true }) };
  const common = { points: spec.points, duration: spec.durationSeconds };
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...common, storeClient: redis.cmd, keyPrefix: redis.key('rl', spec.name) })
    : new RateLimiterMemory({ ...common, keyPrefix: spec.name });
  return {
    async consume(key: string): Promise<RateDecision> {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        // rate-limiter-flexible rejects with RateLimiterRes when over the limit, with an Error when the store failed.
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(rejection.msBeforeNext, 1) };
        throw rejection;
      }
    },
  };
}
