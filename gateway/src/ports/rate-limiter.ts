/**
 * A fixed-window rate limiter keyed by e.g. client IP. Fleet-wide on Redis, per process in
 * memory (adapters/rate-limiters.ts, both on rate-limiter-flexible).
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  consume(key: string): Promise<RateDecision>;
}
