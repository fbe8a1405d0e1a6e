/**
 * The plain models the renderers take: everything a report shows, already computed, no I/O.
 * `renderMarkdown` and `renderHtml` are functions of these alone. Scaling figures, cost and
 * thresholds are correlate/'s and thresholds' own shapes, carried as they are.
 */
import type { CostFigures, ScalingSettings, StepFigures, ThresholdResult } from '../correlate/types.js';
import type { LatencyStats, Metric } from '../record/histograms.js';
import type { CountsSummary } from '../record/summary.js';
import type { ChartsModel } from './render-charts.js';

export interface StageView {
  index: number;
  name: string;
  /** e.g. "constant 8 req/s, poisson"; from the plan. */
  description?: string;
  /** Seconds since the run's start. */
  startS: number;
  endS: number;
  counts: CountsSummary;
  metrics: Partial<Record<Metric, LatencyStats>>;
}

export interface RunHeader {
  title: string;
  profile: string;
  target: string;
  startedIso: string;
  durationS: number;
  stopReason: string;
  stopDetail?: string;
  seed: number;
  intervalS: number;
  tool: string;
  /** Where cloud data came from, e.g. "simulator · endpoint/demo/variant/AllTraffic". */
  cloud?: string;
}

/** The scaling part of a report: per-step figures, how they were computed, and why some are missing. */
export interface ScalingView {
  steps: StepFigures[];
  settings: ScalingSettings;
  /** Why figures are missing as a whole (no cloud data, no step in the plan…). */
  notes: string[];
  cost?: CostFigures;
}

export interface RunReportModel {
  header: RunHeader;
  totals: CountsSummary;
  metrics: Partial<Record<Metric, LatencyStats>>;
  stages: StageView[];
  scaling: ScalingView;
  thresholds: ThresholdResult[];
  /** What could not be read (a missing permission, named) or looks wrong. */
  warnings: string[];
  charts: ChartsModel;
}
