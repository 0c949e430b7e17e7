import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyHistogram, merge, percentile, record, summarize } from './histogram.ts';

describe('latency histogram', () => {
  it('reads percentiles within 2% of the exact value, never above the max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.05, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const h = emptyHistogram();
        for (const v of values) record(h, v);
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
        const got = percentile(h, p)!;
        assert.ok(got >= exact * 0.98 - 1e-9 && got <= exact * 1.02 + 1e-9, `p${p}: ${got} vs ${exact}`);
        assert.ok(got <= h.max);
      }),
    );
  });

  it('merging two histograms equals recording everything into one', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const all = emptyHistogram();
    [1, 5, 9, 250].forEach((v) => (record(a, v), record(all, v)));
    [0.3, 40, 7000].forEach((v) => (record(b, v), record(all, v)));
    assert.deepEqual(summarize(merge(a, b)), summarize(all));
    assert.equal(all.count, 7);
    assert.equal(all.max, 7000);
  });

  it('reports nothing for an empty histogram and counts negative skew as zero', () => {
    assert.deepEqual(summarize(emptyHistogram()), { count: 0, p50: null, p95: null, p99: null, max: null, mean: null });
    const h = emptyHistogram();
    record(h, -3);
    assert.equal(h.min, 0);
    assert.ok(percentile(h, 50)! <= 0.01);
  });

  it('survives a JSON round trip (how workers send it)', () => {
    const h = emptyHistogram();
    for (let i = 1; i <= 1000; i++) record(h, i / 10);
    const copy = JSON.parse(JSON.stringify(h)) as typeof h;
    assert.deepEqual(summarize(merge(emptyHistogram(), copy)), summarize(h));
  });
});
