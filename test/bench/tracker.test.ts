import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeqTracker } from './tracker.ts';

describe('sequence tracker', () => {
  it('counts first deliveries, duplicates and gaps whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 400 }), fc.integer({ min: 0, max: 3000 }), (arrivals, sent) => {
        const t = new SeqTracker();
        for (const n of arrivals) t.add(n);
        const unique = new Set(arrivals);
        assert.equal(t.distinct, unique.size);
        assert.equal(t.duplicates, arrivals.length - unique.size);
        const within = [...unique].filter((n) => n <= sent).length;
        assert.equal(t.missing(sent), sent - within);
      }),
    );
  });

  it('tells a redelivery from a first delivery', () => {
    const t = new SeqTracker();
    assert.equal(t.add(7), true);
    assert.equal(t.add(7), false);
    assert.equal(t.missing(7), 6);
  });

  it('rejects sequence numbers that are not positive integers (a corrupt payload)', () => {
    const t = new SeqTracker();
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => t.add(bad), RangeError);
  });
});
