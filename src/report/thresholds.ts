/**
 * Evaluating the profile's thresholds against a run. A threshold whose value cannot be had (no
 * samples, no scaling data, an unknown stage) FAILS with the reason: a nightly job must not pass
 * because a figure went missing.
 *
 * Exit codes (documented in docs/summary-schema.md): 0 all thresholds hold, 99 at least one fails,
 * 2 input errors (profile, flags, run directory), 1 the tool failed.
 */
import type { ScalingSummary, StepFigures, ThresholdOp, ThresholdResult } from '../correlate/types.js';
import type { RunData } from './run-data.js';
import { SCALING_METRICS, type ScalingMetric, type Slo, type ThresholdSpec } from './thresholds-schema.js';
import { goodputRps, latencyValue, resolveStage } from './thresholds-values.js';

export const EXIT_THRESHOLDS_FAILED = 99;

export function compare(actual: number, op: ThresholdOp, expected: number): boolean {
  switch (op) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

type Value = { value: number } | { value: null; reason: string };

const missing = (reason: string): Value => ({ value: null, reason });

/** The figure a scaling metric reads from one step, or undefined when it does not apply to the step's direction. */
function stepFigure(f: StepFigures, name: ScalingMetric): Value | undefined {
  if (f.direction === 'up') {
    const byName: Partial<Record<ScalingMetric, Value>> = {
      detection_s: f.detectionS,
      reaction_s: f.reactionS,
      capacity_ready_s: f.capacityReadyS,
      recovery_s: f.recoveryS,
      slo_violation_s: f.sloViolationS,
    };
    return byName[name];
  }
  return name === 'release_s' ? f.capacityReleasedS : undefined;
}

function scalingValue(spec: ThresholdSpec, name: ScalingMetric, scaling: ScalingSummary, stageIndex: number | undefined): Value {
  const cost = scaling.cost;
  if (name === 'capacity_seconds') return cost ? { value: cost.unitSeconds } : missing('no capacity samples (no cloud data): no cost');
  if (name === 'cost_usd') return cost ? cost.costUsd : missing('no capacity samples (no cloud data): no cost');
  if (name === 'cost_per_mtok_usd') return cost ? cost.costPerMillionOutputTokensUsd : missing('no capacity samples (no cloud data): no cost');
  const direction = SCALING_METRICS[name];
  const steps = scaling.steps.filter((s) => s.direction === direction && (stageIndex === undefined || s.step.stageIndex === stageIndex));
  if (steps.length === 0) {
    const where = stageIndex === undefined ? 'in the planned load' : `at the start of stage ${stageIndex}`;
    return missing(`no step ${direction} ${where}, so no ${spec.metricName}`);
  }
  let worst: number | undefined;
  for (const s of steps) {
    const f = stepFigure(s, name);
    if (f === undefined) continue;
    if (f.value === null) return missing(`step ${s.step.index} at +${s.step.offsetS} s: ${f.reason}`);
    worst = Math.max(worst ?? f.value, f.value);
  }
  return worst === undefined ? missing(`no ${spec.metricName} figure`) : { value: worst };
}

function valueOf(run: RunData, spec: ThresholdSpec, scaling: ScalingSummary, slo: Slo | undefined): Value {
  let stageIndex: number | undefined;
  if (spec.stage !== undefined) {
    const r = resolveStage(run, spec.stage);
    if ('reason' in r) return missing(r.reason);
    stageIndex = r.stage.index;
  }
  const t = spec.target;
  if (t.kind === 'scaling') return scalingValue(spec, t.name, scaling, stageIndex);
  if (t.kind === 'latency') {
    const v = latencyValue(run, t.metric, t.stat, stageIndex);
    return v === undefined ? missing(`no ${t.metric} samples${stageIndex === undefined ? '' : ` in stage ${stageIndex}`} (no successful request)`) : { value: v };
  }
  const stage = stageIndex === undefined ? undefined : run.summary.stages[stageIndex];
  const counts = stage ? stage.counts : run.summary.totals;
  switch (t.name) {
    case 'error_rate':
      return { value: counts.errorRate };
    case 'throughput_rps':
      return { value: counts.throughputRps };
    case 'output_tokens_per_s':
      return { value: counts.outputTokensPerS };
    case 'goodput_rps': {
      if (slo?.ttftMs === undefined && slo?.e2eMs === undefined) return missing('goodput_rps needs slo.ttftMs or slo.e2eMs');
      const durationS = stage ? (stage.endMs - stage.startMs) / 1000 : run.summary.run.durationS;
      const v = goodputRps(run, counts, durationS, slo, stageIndex);
      return v === undefined ? missing('no latency histograms to count requests within the SLO') : { value: v };
    }
    default:
      return { value: counts[t.name] };
  }
}

export function evaluateThreshold(run: RunData, spec: ThresholdSpec, scaling: ScalingSummary, slo?: Slo): ThresholdResult {
  const v = valueOf(run, spec, scaling, slo);
  const base = { expression: spec.expression, source: 'threshold' as const, unit: spec.unit, op: spec.op, expected: spec.value };
  if (v.value === null) return { ...base, actual: null, pass: false, reason: v.reason };
  const pass = compare(v.value, spec.op, spec.value);
  return { ...base, actual: v.value, pass, ...(!pass && { reason: `${v.value} ${spec.unit} is not ${spec.op} ${spec.value} ${spec.unit}` }) };
}

export function evaluateThresholds(run: RunData, specs: readonly ThresholdSpec[], scaling: ScalingSummary, slo?: Slo): ThresholdResult[] {
  return specs.map((s) => evaluateThreshold(run, s, scaling, slo));
}

/** 0 when every result passes, EXIT_THRESHOLDS_FAILED (99) otherwise. */
export function thresholdsExitCode(results: readonly ThresholdResult[]): 0 | typeof EXIT_THRESHOLDS_FAILED {
  return results.every((r) => r.pass) ? 0 : EXIT_THRESHOLDS_FAILED;
}
