import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { ScaledClock } from '../../src/sim/cloud/scaled-clock.js';
import { adjustCapacity, aggregateMetric, pickStep } from '../../src/sim/cloud/step-scaling.js';
import { trackedCapacity } from '../../src/sim/cloud/target-tracking.js';

describe('scaling rules', () => {
  it('target tracking proposes ceil(current × metric / target)', () => {
    expect(trackedCapacity(1, 18, 5)).toBe(4);
    expect(trackedCapacity(4, 2, 5)).toBe(2);
    expect(trackedCapacity(3, 5, 5)).toBe(3);
    expect(trackedCapacity(0, 100, 5)).toBe(0); // target tracking cannot scale from zero
    expect(trackedCapacity(10, 0.3, 0.1)).toBe(30); // no float drift past the integer
  });

  it('picks the step holding metric − threshold', () => {
    const steps = [
      { MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
    ];
    expect([-5, 0, 9.9, 10, 50].map((d) => pickStep(steps, d)?.ScalingAdjustment)).toEqual([-1, 1, 1, 3, 3]);
    expect(pickStep([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], -1)).toBeUndefined();
  });

  it('applies adjustments, rounding percentages as documented', () => {
    expect(adjustCapacity('ChangeInCapacity', 0, 1)).toBe(1);
    expect(adjustCapacity('ExactCapacity', 3, 5)).toBe(5);
    expect(adjustCapacity('PercentChangeInCapacity', 4, 25)).toBe(5);
    expect(adjustCapacity('PercentChangeInCapacity', 4, 25, 2)).toBe(6);
    expect(adjustCapacity('PercentChangeInCapacity', 2, 10)).toBe(3); // 0.2 rounds up to 1
    expect(adjustCapacity('PercentChangeInCapacity', 10, -15)).toBe(9); // −1.5 rounds toward zero
    expect(adjustCapacity('PercentChangeInCapacity', 3, -10)).toBe(2); // −0.3 becomes −1
    expect(aggregateMetric([1, 5, 3], 'Maximum')).toBe(5);
    expect(aggregateMetric([1, 5, 3])).toBe(3);
  });

  it('ScaledClock runs model time F× faster from its origin', async () => {
    const inner = new VirtualClock(1_000);
    const scaled = new ScaledClock(inner, { factor: 10 });
    expect(scaled.nowMs()).toBe(1_000);
    const fired: number[] = [];
    scaled.setTimer(301_000, () => fired.push(inner.nowMs()));
    await inner.advanceTo(31_000);
    expect(fired).toEqual([31_000]);
    expect(scaled.nowMs()).toBe(301_000);
    expect(scaled.toInnerMs(scaled.nowMs())).toBe(31_000);
    expect(() => new ScaledClock(inner, { factor: 0 })).toThrow(RangeError);
  });
});
