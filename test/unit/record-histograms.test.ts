import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { latencyStats, msToUs, newHistogram } from '../../src/record/histograms.js';
import { HlogWriter, readHlog } from '../../src/record/hlog.js';

/** The exact percentile HdrHistogram defines: the smallest value with at least p% of values at or below it. */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

describe('recorder histograms', () => {
  it('percentiles agree with an exact computation within HDR precision (3 digits = 0.1%)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 2000 }),
        fc.constantFrom(50, 90, 95, 99, 99.9),
        (valuesMs, p) => {
          const h = newHistogram();
          const us = valuesMs.map(msToUs);
          for (const v of us) h.recordValue(v);
          const exact = exactPercentile([...us].sort((a, b) => a - b), p);
          const got = h.getValueAtPercentile(p);
          // HDR reports the highest value equivalent to the bucket holding the exact one.
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.001));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('summarises in milliseconds', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(msToUs(i));
    const s = latencyStats(h);
    expect(s?.count).toBe(1000);
    expect(s?.p50Ms).toBeCloseTo(500, 0);
    expect(s?.p99Ms).toBeCloseTo(990, 0);
    expect(s?.maxMs).toBeCloseTo(1000, 0);
    expect(latencyStats(newHistogram())).toBeUndefined();
  });

  it('negative durations clamp to zero microseconds', () => {
    expect(msToUs(-3)).toBe(0);
    expect(msToUs(1.2345)).toBe(1235);
  });
});

describe('hlog', () => {
  it('round-trips tagged interval histograms with absolute times', () => {
    let text = '';
    const base = 1_700_000_000_000;
    const w = new HlogWriter((s) => (text += s), base);
    w.writeHeader('test');
    const a = newHistogram();
    const b = newHistogram();
    for (let i = 1; i <= 100; i++) a.recordValue(i * 1000);
    b.recordValue(42_000);
    w.writeInterval('ttft', a, base, base + 1000);
    w.writeInterval('e2e', b, base + 1000, base + 2000);
    expect(text).toContain('#[Histogram log format version 1.3]');
    expect(text).toContain('#[BaseTime: 1700000000.000');
    expect(text).toMatch(/^Tag=ttft,0\.000,1\.000,100\.000,/m);
    const intervals = readHlog(text);
    expect(intervals.map((i) => i.tag)).toEqual(['ttft', 'e2e']);
    expect(intervals[0]?.histogram.totalCount).toBe(100);
    expect(intervals[0]?.histogram.getValueAtPercentile(50)).toBeCloseTo(50_000, -2);
    expect(intervals[1]?.histogram.maxValue).toBeCloseTo(42_000, -2);
    expect(intervals[1]?.startMs).toBe(base + 1000);
    expect(intervals[1]?.endMs).toBe(base + 2000);
  });
});
