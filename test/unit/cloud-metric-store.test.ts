import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { MetricStore } from '../../src/sim/cloud/metric-store.js';

const T0 = Date.UTC(2026, 3, 12, 20, 0, 0);
const metric = { namespace: 'N', metricName: 'M', dimensions: [{ Name: 'B', Value: '2' }, { Name: 'A', Value: '1' }] };

function store(clock: VirtualClock, jitterMs = 0): MetricStore {
  return new MetricStore({ clock, seed: 7, highResolution: { lagMs: 10_000, jitterMs }, standard: { lagMs: 60_000, jitterMs } });
}

describe('metric store', () => {
  it('hides a datapoint until its delivery instant, per storage resolution', () => {
    const clock = new VirtualClock(T0);
    const s = store(clock);
    expect(s.put({ metric, timestampMs: T0 - 10_000, value: 3, storageResolution: 1 }).deliveredAtMs).toBe(T0 + 10_000);
    expect(s.put({ metric, timestampMs: T0 - 60_000, value: 4 }).deliveredAtMs).toBe(T0 + 60_000);
    const q = (visibleAtMs: number) => s.query({ metric, periodS: 60, stat: 'Sum', startMs: T0 - 60_000, endMs: T0, visibleAtMs });
    expect(q(T0 + 9_999)).toEqual([]);
    expect(q(T0 + 10_000)).toEqual([{ timestampMs: T0 - 60_000, value: 3, sampleCount: 1 }]);
    expect(q(T0 + 60_000)).toEqual([{ timestampMs: T0 - 60_000, value: 7, sampleCount: 2 }]);
  });

  it('matches the dimension set in any order, and only the whole set', () => {
    const clock = new VirtualClock(T0);
    const s = store(clock);
    s.put({ metric, timestampMs: T0, value: 1, storageResolution: 1 });
    const reordered = { ...metric, dimensions: [...metric.dimensions].reverse() };
    expect(s.query({ metric: reordered, periodS: 10, stat: 'Maximum', startMs: T0, endMs: T0 + 10_000, visibleAtMs: T0 + 10_000 })).toHaveLength(1);
    expect(s.query({ metric: { ...metric, dimensions: metric.dimensions.slice(0, 1) }, periodS: 10, stat: 'Maximum', startMs: T0, endMs: T0 + 10_000, visibleAtMs: T0 + 10_000 })).toEqual([]);
  });

  it('aligns periods to the epoch and computes every statistic', () => {
    const clock = new VirtualClock(T0);
    const s = store(clock);
    s.put({ metric, timestampMs: T0 + 5_000, statistics: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 }, storageResolution: 1 });
    s.put({ metric, timestampMs: T0 + 25_000, values: [2, 8], storageResolution: 1 });
    const at = (stat: string, periodS: number) => s.query({ metric, periodS, stat, startMs: T0 + 7_000, endMs: T0 + 60_000, visibleAtMs: T0 + 60_000 }).map((d) => [d.timestampMs - T0, d.value]);
    expect(at('Sum', 20)).toEqual([[0, 10], [20_000, 10]]);
    expect(at('Average', 60)).toEqual([[0, 20 / 6]]);
    expect(at('Minimum', 60)).toEqual([[0, 1]]);
    expect(at('Maximum', 60)).toEqual([[0, 8]]);
    expect(at('SampleCount', 60)).toEqual([[0, 6]]);
    expect(at('p100', 20)).toEqual([[20_000, 8]]);
    expect(at('p50', 20)).toEqual([[20_000, 2]]);
    expect(at('p50', 60)).toEqual([]); // a statistic set without raw values has no percentiles
  });

  it('draws delivery jitter from the seed, within the bound', () => {
    const draws = (seed: number) => {
      const clock = new VirtualClock(T0);
      const s = new MetricStore({ clock, seed, highResolution: { lagMs: 10_000, jitterMs: 5_000 }, standard: { lagMs: 60_000, jitterMs: 60_000 } });
      return Array.from({ length: 20 }, (_, i) => s.put({ metric, timestampMs: T0 + i * 1000, value: 1, storageResolution: 1 }).deliveredAtMs - T0);
    };
    expect(draws(3)).toEqual(draws(3));
    expect(draws(3)).not.toEqual(draws(4));
    for (const d of draws(3)) expect(d >= 10_000 && d < 15_000).toBe(true);
  });

  it('rolls sub-minute data older than 3 hours up into minutes', async () => {
    const clock = new VirtualClock(T0);
    const s = store(clock);
    for (let i = 0; i < 6; i++) s.put({ metric, timestampMs: T0 + i * 10_000, value: i, storageResolution: 1 });
    const tenSecond = () => s.query({ metric, periodS: 10, stat: 'Sum', startMs: T0, endMs: T0 + 60_000 });
    await clock.advanceTo(T0 + 3 * 3_600_000);
    expect(tenSecond()).toHaveLength(6);
    await clock.advanceTo(T0 + 3 * 3_600_000 + 60_000);
    s.put({ metric, timestampMs: clock.nowMs(), value: 0, storageResolution: 1 });
    expect(tenSecond()).toEqual([{ timestampMs: T0, value: 15, sampleCount: 6 }]);
  });

  it('lists metrics with delivered data, filtered by dimension', async () => {
    const clock = new VirtualClock(T0);
    const s = store(clock);
    s.put({ metric, timestampMs: T0, value: 1, storageResolution: 1 });
    expect(s.listMetrics()).toEqual([]);
    await clock.advanceTo(T0 + 10_000);
    expect(s.listMetrics({ dimensions: [{ Name: 'A' }] })).toHaveLength(1);
    expect(s.listMetrics({ dimensions: [{ Name: 'A', Value: 'x' }] })).toEqual([]);
  });
});
