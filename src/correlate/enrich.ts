/**
 * summary.json with the analysis added: `scaling` (figures per step, cost, clock offset) and
 * `thresholds` (evaluated). Called after a run and by `scalelab report`, which rebuilds it from
 * the run directory alone: `analysisOptionsFromRun` reads the SLO and thresholds back from the
 * profile run.json recorded.
 */
import type { RunData } from '../report/run-data.js';
import { evaluateThresholds } from '../report/thresholds.js';
import { parseThreshold, sloSchema, ThresholdSyntaxError, type Slo, type ThresholdSpec } from '../report/thresholds-schema.js';
import { scalingFigures, type ScalingOptions } from './figures.js';
import type { EnrichedSummary } from './types.js';

export interface AnalysisOptions extends Omit<ScalingOptions, 'slo'> {
  slo?: Slo;
  thresholds?: readonly ThresholdSpec[];
}

/**
 * The profile's `slo` and `thresholds` as recorded in run.json (`profile.expanded`), re-read from
 * their expressions (the object form is recorded rendered, so one parser serves both).
 * @throws ThresholdSyntaxError when a recorded threshold does not parse (a run from another version).
 */
export function analysisOptionsFromRun(run: RunData): { slo?: Slo; thresholds: ThresholdSpec[] } {
  const expanded = (run.run.profile.expanded ?? {}) as { slo?: unknown; thresholds?: unknown };
  const slo = sloSchema.safeParse(expanded.slo ?? {});
  const list = Array.isArray(expanded.thresholds) ? (expanded.thresholds as unknown[]) : [];
  const thresholds = list.map((t) => {
    const expression = typeof t === 'string' ? t : (t as { expression?: unknown } | null)?.expression;
    if (typeof expression !== 'string') throw new ThresholdSyntaxError(`run.json holds a threshold without an expression: ${JSON.stringify(t)}`);
    return parseThreshold(expression);
  });
  return { ...(slo.success && { slo: slo.data }), thresholds };
}

export function enrichSummary(run: RunData, options: AnalysisOptions = {}): EnrichedSummary {
  const scaling = scalingFigures(run, options);
  const thresholds = evaluateThresholds(run, options.thresholds ?? [], scaling, options.slo);
  return { ...run.summary, scaling, thresholds };
}
