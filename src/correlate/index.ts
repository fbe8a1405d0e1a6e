/**
 * Correlation (pure): the client's latency and the cloud's scaling on one clock.
 *
 * ```ts
 * const run = loadRun('reports/2024-…');
 * const timeline = buildTimeline(run);                         // what the HTML report charts
 * const scaling = scalingFigures(run, { slo: { ttftMs: 2000 } }); // detection, reaction, … per step
 * const summary = enrichSummary(run, { ...analysisOptionsFromRun(run), pricePerHour: 1.2 });
 * ```
 */
export { estimateClockOffset, shiftCloudTimes, type ClockOffsetEstimate, type DateSample } from './clock-offset.js';
export { detectSteps, DEFAULT_STEP_THRESHOLD_PCT, type StepDetectionInput } from './steps.js';
export { costFigures, type CostInput } from './cost.js';
export { recoveryFigures, type RecoveryFigures, type RecoveryInput } from './recovery.js';
export { intervalLatency, type IntervalLatency, type LatencyMetric } from './intervals.js';
export {
  scalingFigures,
  scalingSettings,
  runSteps,
  runEndMs,
  DEFAULT_BASELINE_TOLERANCE_PCT,
  DEFAULT_RECOVERY_INTERVALS,
  type ScalingOptions,
  type SloSpec,
} from './figures.js';
export { buildTimeline } from './timeline.js';
export { bootstrapPercentileDiffs, DEFAULT_BOOTSTRAP, type BootstrapOptions, type PercentileDiff } from './bootstrap.js';
export { enrichSummary, analysisOptionsFromRun, type AnalysisOptions } from './enrich.js';
export type * from './types.js';
