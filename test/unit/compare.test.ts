import { describe, expect, it } from 'vitest';
import { bootstrapPercentileDiffs } from '../../src/correlate/bootstrap.js';
import { intervalsTagged } from '../../src/correlate/histograms.js';
import { compareRuns } from '../../src/report/compare-model.js';
import { stepUpSpec } from '../fixtures/runs/scenarios.js';
import { syntheticRun, type SyntheticRunSpec } from '../fixtures/runs/synthetic.js';

/** 40 s at 5 req/s; TTFT varies from interval to interval (×`factor`). */
function steady(factor: number, name: string): SyntheticRunSpec {
  return {
    name,
    stages: [
      { name: 'warm', rateRps: 5, durationS: 20 },
      { name: 'hot', rateRps: 5, durationS: 20 },
    ],
    interval: (k) => {
      const ttft = (100 + ((k * 37) % 11) * 9) * factor;
      return { ok: 5, latencyMs: { ttft, e2e: ttft * 10, itl: 20 * factor, tpot: 20 * factor } };
    },
  };
}

const base = syntheticRun(steady(1, 'a'));
const same = syntheticRun(steady(1, 'b'));
const double = syntheticRun(steady(2, 'c'));
const ttftIntervals = (r: typeof base) => intervalsTagged(r.hlog, 'ttft').map((i) => i.histogram);

describe('bootstrapPercentileDiffs', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    const run = (seed: number) => bootstrapPercentileDiffs(ttftIntervals(base), ttftIntervals(double), [50, 99], 'x', { seed, resamples: 300 });
    expect(run(7)).toEqual(run(7));
    expect(run(7)?.map((d) => [d.ciLowMs, d.ciHighMs])).not.toEqual(run(8)?.map((d) => [d.ciLowMs, d.ciHighMs]));
  });

  it('finds a 2× difference significant and identical runs not', () => {
    const doubled = bootstrapPercentileDiffs(ttftIntervals(base), ttftIntervals(double), [50, 90, 99], 'x', { resamples: 500 });
    expect(doubled?.map((d) => [d.p, d.significant, d.ciLowMs > 0])).toEqual([[50, true, true], [90, true, true], [99, true, true]]);
    expect(doubled?.[0]?.diffPct).toBeCloseTo(100, 0);
    const identical = bootstrapPercentileDiffs(ttftIntervals(base), ttftIntervals(same), [50, 90, 99], 'x', { resamples: 500 });
    expect(identical?.map((d) => [d.diffMs, d.significant, d.ciLowMs <= 0 && d.ciHighMs >= 0])).toEqual([
      [0, false, true], [0, false, true], [0, false, true],
    ]);
  });

  it('point estimates are the merged interval histograms\' percentiles (HDR bucket tops)', () => {
    const [d] = bootstrapPercentileDiffs(ttftIntervals(base), ttftIntervals(double), [99], 'x', { resamples: 10 }) ?? [];
    // The largest TTFT is 190 ms (380 ms doubled); the log keeps it as its bucket's top.
    expect([d?.baseMs, d?.otherMs, d?.diffMs]).toEqual([190.079, 380.159, 190.08]);
  });

  it('is undefined when a side has no samples', () => {
    expect(bootstrapPercentileDiffs([], ttftIntervals(base), [50], 'x')).toBeUndefined();
  });
});

describe('compareRuns', () => {
  const model = compareRuns([base, double, same], { resamples: 200, seed: 3 });

  it('lists the runs and settings', () => {
    expect(model.runs.map((r) => [r.label, r.profile, r.durationS])).toEqual([['a', 'a', 40], ['c', 'c', 40], ['b', 'b', 40]]);
    expect(model.settings).toEqual({ seed: 3, resamples: 200, confidencePct: 95, percentiles: [50, 90, 99], metrics: ['ttft', 'e2e', 'itl', 'tpot'] });
  });

  it('gives percentiles per stage and run, with differences from the first run', () => {
    expect(model.stages.map((s) => [s.index, s.name, s.present])).toEqual([[0, 'warm', [true, true, true]], [1, 'hot', [true, true, true]]]);
    const p99 = model.stages[1]?.metrics.ttft?.find((x) => x.p === 99);
    expect(p99?.valuesMs).toEqual([190.079, 380.159, 190.079]);
    expect(p99?.diffs.map((d) => d?.significant ?? null)).toEqual([null, true, false]);
    expect(model.overall.metrics.itl?.[0]?.diffs[1]?.diffMs).toBeCloseTo(20, 1);
  });

  it('is deterministic', () => {
    expect(compareRuns([base, double, same], { resamples: 200, seed: 3 }).stages).toEqual(model.stages);
  });

  it('puts scaling, errors, cost and timelines side by side', () => {
    const withCloud = syntheticRun(stepUpSpec());
    const m = compareRuns([withCloud, base], { resamples: 50, pricePerHour: 3.6 });
    expect(m.scaling.map((s) => s.steps.length)).toEqual([2, 0]);
    expect(m.cost.map((c) => c?.costUsd ?? null)).toEqual([{ value: 0.08 }, null]);
    expect(m.errors).toEqual({
      kinds: ['throttled', 'timeout'],
      byKind: [{ throttled: 3, timeout: 1 }, {}],
      totals: [
        { sent: 304, ok: 300, errors: 3, timeouts: 1, dropped: 0, errorRate: 0.013158 },
        { sent: 200, ok: 200, errors: 0, timeouts: 0, dropped: 0, errorRate: 0 },
      ],
    });
    expect(m.timelines.map((t) => [t.offsetS[0], t.offsetS.length])).toEqual([[0, 60], [0, 40]]);
    // Stages matched by index and name: the step-up run's names differ, so nothing matches.
    expect(m.stages.map((s) => [s.name, s.present])).toEqual([['baseline', [true, false]], ['step', [true, false]], ['recovery', [true, false]]]);
    expect(m.stages[0]?.metrics.ttft?.[0]?.diffs).toEqual([null, null]);
  });
});
