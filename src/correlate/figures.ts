/**
 * Scaling figures of a run (DESIGN "Scaling figures"): per planned load step, how long the
 * autoscaler took to notice, react and provide capacity, and how long latency took to recover;
 * plus the cost of the capacity. A pure function of the run directory's contents; missing data
 * gives null figures with reasons, never an exception.
 */
import type { CloudData } from '../cloud/types.js';
import type { RunData } from '../report/run-data.js';
import { costFigures } from './cost.js';
import { intervalLatency, type IntervalLatency, type LatencyMetric } from './intervals.js';
import { recoveryFigures } from './recovery.js';
import { capacityAt, capacityChange, firstActivity, firstAlarm, sinceT0 } from './scaling-events.js';
import { DEFAULT_STEP_THRESHOLD_PCT, detectSteps } from './steps.js';
import type { Figure, LoadStep, ScalingSettings, ScalingSummary, StepDownFigures, StepFigures, StepUpFigures } from './types.js';

/** The profile's `slo:` block (see profile/schema.ts). */
export interface SloSpec {
  ttftMs?: number;
  e2eMs?: number;
  /** Which metric's p99 recovery and SLO debt watch. */
  metric?: LatencyMetric;
  recoveryIntervals?: number;
}

export interface ScalingOptions {
  slo?: SloSpec;
  /** Relative change of planned rate that makes a step, in % (default 25). */
  stepThresholdPct?: number;
  /** Without an SLO, recovered means p99 within this % of the baseline (default 10). */
  baselineTolerancePct?: number;
  /** Price per instance-hour (variant) or copy-hour (inference component), USD. */
  pricePerHour?: number;
}

export const DEFAULT_RECOVERY_INTERVALS = 3;
export const DEFAULT_BASELINE_TOLERANCE_PCT = 10;

export function scalingSettings(options: ScalingOptions): ScalingSettings {
  const metric = options.slo?.metric ?? 'ttft';
  return {
    stepThresholdPct: options.stepThresholdPct ?? DEFAULT_STEP_THRESHOLD_PCT,
    recoveryMetric: metric,
    sloMs: (metric === 'ttft' ? options.slo?.ttftMs : options.slo?.e2eMs) ?? null,
    recoveryIntervals: options.slo?.recoveryIntervals ?? DEFAULT_RECOVERY_INTERVALS,
    baselineTolerancePct: options.baselineTolerancePct ?? DEFAULT_BASELINE_TOLERANCE_PCT,
  };
}

/** End of the run's data, epoch ms: run.json's end, else the last interval's end, else the plan's. */
export function runEndMs(run: Pick<RunData, 'run' | 'timeline'>): number {
  const last = run.timeline[run.timeline.length - 1];
  return run.run.endMs ?? (last ? last.tMs + last.intervalMs : run.run.startMs + (run.run.plan?.durationMs ?? 0));
}

/** The steps of a run's plan, with the same threshold the figures use. */
export function runSteps(run: Pick<RunData, 'run' | 'timeline'>, stepThresholdPct?: number): LoadStep[] {
  return detectSteps({
    // run.json from before the plan was recorded has none: no steps.
    stages: run.run.plan?.stages ?? [],
    runStartMs: run.run.startMs,
    runEndMs: runEndMs(run),
    ...(stepThresholdPct !== undefined && { thresholdPct: stepThresholdPct }),
  });
}

const NO_CLOUD = 'no cloud.json for this run (cloud data not collected: run `scalelab collect`)';
const nullFigure = (reason: string): Figure => ({ value: null, reason });

function stepFigures(step: LoadStep, run: RunData, cloud: CloudData | undefined, intervals: IntervalLatency[], settings: ScalingSettings): StepFigures {
  const instants: StepFigures['instants'] = {};
  let detectionS = nullFigure(NO_CLOUD);
  let reactionS = nullFigure(NO_CLOUD);
  let capacityS = nullFigure(NO_CLOUD);
  let capacityBefore: number | null = null;
  let capacityTarget: number | null = null;
  if (cloud) {
    const { direction, t0Ms, windowEndMs } = step;
    const alarm = firstAlarm(cloud, direction, t0Ms, windowEndMs);
    if (alarm.transition) Object.assign(instants, { alarmMs: alarm.transition.tMs, alarmName: alarm.transition.alarmName });
    detectionS = sinceT0(t0Ms, alarm.transition?.tMs, alarm.reason);
    const desiredBefore = capacityAt(cloud.capacity, t0Ms)?.desired;
    capacityBefore = desiredBefore ?? null;
    const { activity, reason } = firstActivity(cloud, direction, t0Ms, windowEndMs, desiredBefore);
    if (activity) Object.assign(instants, { activityStartMs: activity.startMs, activityId: activity.activityId });
    reactionS = sinceT0(t0Ms, activity?.startMs, reason);
    const change = capacityChange(cloud, direction, activity?.startMs ?? t0Ms, windowEndMs, desiredBefore, activity);
    capacityTarget = change.target ?? null;
    if (change.reachedMs !== undefined) instants.capacityMs = change.reachedMs;
    capacityS = sinceT0(t0Ms, change.reachedMs, change.reason);
  }
  const base = { step, detectionS, reactionS, capacityBefore, capacityTarget, instants };
  if (step.direction === 'down') return { direction: 'down', ...base, capacityReleasedS: capacityS } satisfies StepDownFigures;
  const stageBefore = run.run.plan?.stages[step.stageIndex - 1];
  const rec = recoveryFigures({
    intervals,
    t0Ms: step.t0Ms,
    preStartMs: run.run.startMs + (stageBefore?.startMs ?? 0),
    nextStepMs: step.nextStepMs,
    metric: settings.recoveryMetric,
    sloMs: settings.sloMs,
    recoveryIntervals: settings.recoveryIntervals,
    baselineTolerancePct: settings.baselineTolerancePct,
  });
  if (rec.recoveredMs !== undefined) instants.recoveredMs = rec.recoveredMs;
  return {
    direction: 'up',
    ...base,
    capacityReadyS: capacityS,
    baselineP99Ms: rec.baselineP99Ms,
    recoveryS: rec.recoveryS,
    sloViolationS: rec.sloViolationS,
    excessP99MsS: rec.excessP99MsS,
  } satisfies StepUpFigures;
}

/** The `scaling` block of summary.json. */
export function scalingFigures(run: RunData, options: ScalingOptions = {}): ScalingSummary {
  const settings = scalingSettings(options);
  const steps = runSteps(run, settings.stepThresholdPct);
  const intervals = intervalLatency(run, settings.recoveryMetric);
  const notes: string[] = [];
  if (!run.cloud) notes.push(NO_CLOUD);
  if (steps.length === 0) notes.push(`no step in the planned load (a change of at least ${settings.stepThresholdPct}% between stages)`);
  const cost =
    run.cloud &&
    costFigures({
      cloud: run.cloud,
      fromMs: run.run.startMs,
      toMs: runEndMs(run),
      outputTokens: run.summary.totals.outputTokens,
      ...(options.pricePerHour !== undefined && { pricePerHour: options.pricePerHour }),
    });
  if (run.cloud && !cost) notes.push('no capacity samples in cloud.json: no cost');
  return {
    settings,
    steps: steps.map((s) => stepFigures(s, run, run.cloud, intervals, settings)),
    ...(cost && { cost }),
    ...(run.cloud?.clockOffsetMs !== undefined && { clockOffsetMs: run.cloud.clockOffsetMs }),
    notes: [...notes, ...(run.cloud?.warnings ?? [])],
  };
}
