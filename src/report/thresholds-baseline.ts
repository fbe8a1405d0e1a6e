/**
 * `--baseline <run>`: a regression check of this run's latency percentiles against an earlier
 * run's. A percentile fails when current > baseline × (1 + tolerance/100). Results read like
 * thresholds (source `baseline`) so they join the same exit code and JUnit file.
 *
 * A percentile the baseline has no sample of is skipped (nothing to regress from); one the
 * baseline has and this run lacks fails.
 */
import type { ThresholdResult } from '../correlate/types.js';
import type { RunData } from './run-data.js';
import { parseThreshold } from './thresholds-schema.js';
import { latencyValue } from './thresholds-values.js';

export const DEFAULT_BASELINE_TOLERANCE_PCT = 10;
export const DEFAULT_BASELINE_METRICS = [
  'ttft.p50', 'ttft.p90', 'ttft.p99',
  'e2e.p50', 'e2e.p90', 'e2e.p99',
  'itl.p50', 'itl.p99',
  'tpot.p50', 'tpot.p99',
] as const;

export interface BaselineTolerance {
  /** Allowed rise in %, for metrics without their own (default 10). */
  defaultPct?: number;
  /** Per metric, e.g. { 'ttft.p99': 20 }. */
  perMetricPct?: Record<string, number>;
  /** Latency percentiles to check (default DEFAULT_BASELINE_METRICS); any `<metric>.p<N>`. */
  metrics?: readonly string[];
  /** Also check each stage present in both runs with the same index and name. */
  stages?: boolean;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function compareToBaseline(current: RunData, baseline: RunData, tolerance: BaselineTolerance = {}): ThresholdResult[] {
  const metrics = (tolerance.metrics ?? DEFAULT_BASELINE_METRICS).map((m) => {
    const spec = parseThreshold(`${m} <= 0`);
    if (spec.target.kind !== 'latency') throw new RangeError(`baseline metric ${m} is not a latency percentile`);
    return { name: m, metric: spec.target.metric, stat: spec.target.stat };
  });
  const scopes: { prefix: string; current?: number; baseline?: number }[] = [{ prefix: '' }];
  if (tolerance.stages) {
    for (const s of current.summary.stages) {
      const b = baseline.summary.stages[s.index];
      if (b && b.name === s.name) scopes.push({ prefix: `stage[${s.index}].`, current: s.index, baseline: b.index });
    }
  }
  const results: ThresholdResult[] = [];
  for (const scope of scopes) {
    for (const m of metrics) {
      const base = latencyValue(baseline, m.metric, m.stat, scope.baseline);
      if (base === undefined) continue;
      const pct = tolerance.perMetricPct?.[m.name] ?? tolerance.defaultPct ?? DEFAULT_BASELINE_TOLERANCE_PCT;
      const expected = round3(base * (1 + pct / 100));
      const actual = latencyValue(current, m.metric, m.stat, scope.current) ?? null;
      const expression = `${scope.prefix}${m.name} <= ${expected} (baseline ${base} ms + ${pct}%)`;
      const common = { expression, source: 'baseline' as const, unit: 'ms', op: '<=' as const, expected };
      if (actual === null) {
        results.push({ ...common, actual, pass: false, reason: `no ${m.metric} samples in this run; the baseline has them` });
        continue;
      }
      const pass = actual <= expected;
      const risePct = base > 0 ? round3(((actual - base) / base) * 100) : null;
      results.push({
        ...common,
        actual,
        pass,
        ...(!pass && { reason: `regressed ${risePct === null ? '' : `${risePct}% `}from the baseline's ${base} ms, more than the ${pct}% allowed` }),
      });
    }
  }
  return results;
}
