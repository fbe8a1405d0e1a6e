/**
 * Step scaling (pure): choose the step adjustment for how far the metric is from the alarm's
 * threshold, and apply it to a capacity.
 *
 * Bounds are relative to the threshold. Above it a step covers lower ≤ d < upper; below it
 * lower < d ≤ upper; a missing lower bound is −∞ and a missing upper bound +∞ (Application Auto
 * Scaling API reference, StepAdjustment). PercentChangeInCapacity rounds as Application Auto
 * Scaling documents: a change between 0 and 1 becomes 1, between −1 and 0 becomes −1, larger ones
 * round toward zero; MinAdjustmentMagnitude then raises its size.
 */
export type AdjustmentType = 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';
export type MetricAggregationType = 'Average' | 'Minimum' | 'Maximum';

export interface StepAdjustment {
  MetricIntervalLowerBound?: number;
  MetricIntervalUpperBound?: number;
  ScalingAdjustment: number;
}

/** The step whose interval holds `delta` (metric − threshold), if any. */
export function pickStep(steps: readonly StepAdjustment[], delta: number): StepAdjustment | undefined {
  return steps.find((s) => {
    const lower = s.MetricIntervalLowerBound ?? Number.NEGATIVE_INFINITY;
    const upper = s.MetricIntervalUpperBound ?? Number.POSITIVE_INFINITY;
    return delta >= 0 ? lower <= delta && delta < upper : lower < delta && delta <= upper;
  });
}

/** The capacity after applying `adjustment` to `base` (not clamped to min/max). */
export function adjustCapacity(type: AdjustmentType, base: number, adjustment: number, minAdjustmentMagnitude?: number): number {
  switch (type) {
    case 'ChangeInCapacity':
      return base + adjustment;
    case 'ExactCapacity':
      return adjustment;
    case 'PercentChangeInCapacity': {
      const raw = (base * adjustment) / 100;
      let change = raw > 0 && raw < 1 ? 1 : raw < 0 && raw > -1 ? -1 : Math.trunc(raw);
      if (minAdjustmentMagnitude !== undefined && change !== 0 && Math.abs(change) < minAdjustmentMagnitude) {
        change = Math.sign(change) * minAdjustmentMagnitude;
      }
      return base + change;
    }
  }
}

/** The alarm's datapoint values aggregated the way the policy asks (Average by default). */
export function aggregateMetric(values: readonly number[], type: MetricAggregationType = 'Average'): number | undefined {
  if (values.length === 0) return undefined;
  switch (type) {
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
  }
}
