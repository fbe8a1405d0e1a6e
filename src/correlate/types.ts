/**
 * The shapes correlate/ produces: load steps, scaling figures, cost, and the aligned timeline.
 * All plain JSON (numbers, strings, arrays, null), so they go into summary.json and the HTML
 * report as they are. Times are epoch ms of this machine's clock; durations say their unit.
 */
import type { Summary } from '../record/summary.js';

/**
 * A figure that could be measured, or null with the reason it could not (missing data, an event
 * that never happened in the window). Never silently absent.
 */
export type Figure = { value: number; reason?: undefined } | { value: null; reason: string };

/** A change in PLANNED offered load (from run.plan.stages), not a measured one. */
export interface LoadStep {
  /** 0-based, in time order over all steps (up and down). */
  index: number;
  direction: 'up' | 'down';
  /**
   * `boundary`: the planned rate changes between consecutive stages, t0 at the boundary.
   * `ramp`: a ramp stage whose own start → end change is a step, t0 at the ramp's start.
   */
  kind: 'boundary' | 'ramp';
  /** Epoch ms of the change, and seconds from the run's start. */
  t0Ms: number;
  offsetS: number;
  /** The stage that starts at t0 (the ramp itself for `ramp`). */
  stageIndex: number;
  stageName: string;
  fromRps: number;
  toRps: number;
  /** (toRps − fromRps) / fromRps × 100; null when fromRps is 0. */
  changePct: number | null;
  /** Where this step's evidence is searched: [t0Ms, windowEndMs), the next step in the same direction or the run's end. */
  windowEndMs: number;
  /** The next step of either direction (or the run's end): recovery and SLO debt stop here. */
  nextStepMs: number;
}

/** The instants behind the figures, epoch ms, for chart markers. Absent when not found. */
export interface StepInstants {
  alarmMs?: number;
  alarmName?: string;
  activityStartMs?: number;
  activityId?: string;
  /** Capacity ready (step up) or released (step down). */
  capacityMs?: number;
  /** Step up only: start of the first of the N recovered intervals. */
  recoveredMs?: number;
}

interface StepFiguresBase {
  step: LoadStep;
  /** First transition to ALARM of a scale-out (up) / scale-in (down) alarm in the window, minus t0, in s. */
  detectionS: Figure;
  /** Start of the first scale-out (up) / scale-in (down) activity in the window, minus t0, in s. */
  reactionS: Figure;
  /** Desired capacity in effect at t0 (last capacity sample at or before t0). */
  capacityBefore: number | null;
  /** The desired capacity the reaction moved to. */
  capacityTarget: number | null;
  instants: StepInstants;
}

export interface StepUpFigures extends StepFiguresBase {
  direction: 'up';
  /** First capacity sample after the reaction with current ≥ capacityTarget, minus t0, in s. */
  capacityReadyS: Figure;
  /** Median of the interval p99s (recovery metric) over the stage before t0, in ms. */
  baselineP99Ms: Figure;
  /** Start of the first of N consecutive recovered intervals, minus t0, in s. */
  recoveryS: Figure;
  /** Seconds of intervals whose p99 exceeds the SLO (or that only failed), from t0 to recovery or the next step. */
  sloViolationS: Figure;
  /** Σ max(0, p99 − baseline) × interval length: ms·s of p99 above baseline, over the same span. */
  excessP99MsS: Figure;
}

export interface StepDownFigures extends StepFiguresBase {
  direction: 'down';
  /** First capacity sample after the reaction with current ≤ capacityTarget, minus t0, in s. */
  capacityReleasedS: Figure;
}

export type StepFigures = StepUpFigures | StepDownFigures;

export interface CostFigures {
  /** What was counted: instances of a variant or copies of an inference component. */
  unit: 'instance' | 'copy';
  /** Run window integrated over, epoch ms. */
  fromMs: number;
  toMs: number;
  /** ∫ current capacity dt over the window (a step function of the samples), in unit-seconds. */
  unitSeconds: number;
  /** unitSeconds / window length. */
  meanCapacity: number;
  pricePerHour: number | null;
  costUsd: Figure;
  outputTokens: number;
  costPerMillionOutputTokensUsd: Figure;
}

/** The options the figures were computed with, stored next to them so a report can say so. */
export interface ScalingSettings {
  stepThresholdPct: number;
  recoveryMetric: 'ttft' | 'e2e';
  sloMs: number | null;
  recoveryIntervals: number;
  baselineTolerancePct: number;
}

/** summary.json `scaling`. */
export interface ScalingSummary {
  settings: ScalingSettings;
  steps: StepFigures[];
  cost?: CostFigures;
  /** AWS clock minus this machine's clock, as cloud.json recorded it. */
  clockOffsetMs?: number;
  /** Why figures are missing as a whole, e.g. "no cloud.json: run `scalelab collect`". */
  notes: string[];
}

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** One evaluated threshold (from the profile) or baseline check. */
export interface ThresholdResult {
  /** As written (string form) or rendered (object form / baseline), e.g. `stage[1].ttft.p99 < 3000`. */
  expression: string;
  source: 'threshold' | 'baseline';
  /** `ms`, `s`, `rps`, `ratio`, `count`, `usd`. */
  unit: string;
  op: ThresholdOp;
  expected: number;
  /** Null when the value could not be had; the threshold then fails with `reason`. */
  actual: number | null;
  pass: boolean;
  reason?: string;
}

export type EnrichedSummary = Summary & { scaling: ScalingSummary; thresholds: ThresholdResult[] };

/** Per-interval series aligned on the run's intervals, for the report's charts. Plain JSON. */
export interface TimelineModel {
  runStartMs: number;
  intervalMs: number;
  /** Interval starts, epoch ms, and seconds from the run's start. */
  tMs: number[];
  offsetS: number[];
  /** Interval lengths in s (the last one may be partial). */
  lengthS: number[];
  /** Planned offered rate at the interval's middle. */
  offeredRps: number[];
  /** Requests sent per second (the achieved send rate). */
  sentRps: number[];
  /** Successful completions per second (throughput). */
  okRps: number[];
  inFlight: number[];
  dropped: number[];
  /** Errors plus timeouts per interval, and failures by kind (the recorder files timeouts under `timeout`). */
  errors: number[];
  errorsByKind: Record<string, number[]>;
  outputTokensPerS: number[];
  /** Per-interval percentiles from the interval histograms, ms; null when the interval has no sample. */
  latency: Record<'ttft' | 'e2e', { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] }>;
  /** Current capacity in effect at each interval's end (a step function of the samples). */
  capacityCurrent: (number | null)[];
  /** The raw capacity samples, to draw as a step line. */
  capacity: { unit: 'instance' | 'copy'; tMs: number[]; desired: number[]; current: number[] } | null;
  /** Cloud metric series (e.g. the concurrency metric), shifted like cloud.json. */
  metrics: { id: string; metricName: string; stat: string; periodS: number; tMs: number[]; value: number[] }[];
  alarms: { tMs: number; alarmName: string; role: string; from: string; to: string }[];
  activities: { startMs: number; endMs: number | null; statusCode: string; toCapacity: number | null; description: string }[];
  stages: { index: number; name: string; startMs: number; endMs: number }[];
  steps: { t0Ms: number; direction: 'up' | 'down'; fromRps: number; toRps: number }[];
}
