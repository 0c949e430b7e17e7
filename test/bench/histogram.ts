/**
 * A mergeable latency histogram with log-scaled buckets: each bucket is 2% wider than the one
 * before, so any percentile read from it is within 2% of the true value (plus 10 µs at the low
 * end). Client workers record into their own copy and send it to the harness, which merges them;
 * a million samples cost a few hundred numbers on the wire instead of a million.
 */

/** Values at or below this (ms) all land in bucket 0. */
const FLOOR_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

export interface HistogramData {
  /** bucket index → count; sparse. */
  buckets: Record<string, number>;
  count: number;
  /** Exact extremes and sum, in ms. */
  min: number;
  max: number;
  sum: number;
}

export function emptyHistogram(): HistogramData {
  return { buckets: {}, count: 0, min: Number.POSITIVE_INFINITY, max: 0, sum: 0 };
}

function bucketOf(ms: number): number {
  if (ms <= FLOOR_MS) return 0;
  return Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
}

/** Upper bound of a bucket, in ms: percentiles report this, so they never understate. */
function upperBound(bucket: number): number {
  return FLOOR_MS * GROWTH ** bucket;
}

/** Records one latency in ms. Negative values (clock skew between processes) count as 0. */
export function record(h: HistogramData, ms: number): void {
  const v = ms < 0 ? 0 : ms;
  const b = String(bucketOf(v));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
  h.count += 1;
  h.sum += v;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
}

export function merge(into: HistogramData, from: HistogramData): HistogramData {
  for (const [b, n] of Object.entries(from.buckets)) into.buckets[b] = (into.buckets[b] ?? 0) + n;
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  return into;
}

/**
 * The p-th percentile (0 < p ≤ 100) in ms, or null when empty. Never above the exact max, so
 * p100 equals max.
 */
export function percentile(h: HistogramData, p: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.ceil((p / 100) * h.count);
  const ordered = Object.entries(h.buckets)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [b, n] of ordered) {
    seen += n;
    if (seen >= rank) return Math.min(upperBound(b), h.max);
  }
  return h.max;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export function summarize(h: HistogramData): LatencySummary {
  return {
    count: h.count,
    p50: percentile(h, 50),
    p95: percentile(h, 95),
    p99: percentile(h, 99),
    max: h.count ? h.max : null,
    mean: h.count ? h.sum / h.count : null,
  };
}
