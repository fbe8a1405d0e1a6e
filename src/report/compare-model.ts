/**
 * The model of `scalelab compare <run> <run>…`: runs side by side, the first as the reference.
 * Per stage (matched by index and name) and overall: percentiles of ttft/e2e/itl/tpot per run and
 * each run's difference from the first with a bootstrap interval over intervals
 * (correlate/bootstrap.ts); scaling figures, errors by kind and cost side by side; each run's
 * timeline on run-relative time (`offsetS`) for overlaid charts. Plain JSON; renderers format it.
 */
import { basename } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { bootstrapPercentileDiffs, DEFAULT_BOOTSTRAP, type BootstrapOptions, type PercentileDiff } from '../correlate/bootstrap.js';
import { scalingFigures, type ScalingOptions } from '../correlate/figures.js';
import { intervalsTagged } from '../correlate/histograms.js';
import { buildTimeline } from '../correlate/timeline.js';
import type { CostFigures, ScalingSummary, TimelineModel } from '../correlate/types.js';
import type { Metric } from '../record/histograms.js';
import type { RunData } from './run-data.js';
import { latencyValue } from './thresholds-values.js';

export const COMPARE_METRICS = ['ttft', 'e2e', 'itl', 'tpot'] as const satisfies readonly Metric[];
export const COMPARE_PERCENTILES = [50, 90, 99] as const;

export interface CompareOptions extends ScalingOptions, BootstrapOptions {
  percentiles?: readonly number[];
  metrics?: readonly Metric[];
}

export interface CompareRun {
  /** The run directory's name. */
  label: string;
  dir: string;
  profile: string;
  target: string;
  startMs: number;
  durationS: number;
}

export interface ComparePercentile {
  p: number;
  /** Per run, ms; null when the run has no sample there. */
  valuesMs: (number | null)[];
  /** Per run, the difference from run 0 (null for run 0 itself and where either side lacks samples). */
  diffs: (PercentileDiff | null)[];
}

export interface CompareStage {
  /** -1 for the whole run. */
  index: number;
  name: string;
  /** Per run: whether it has this stage (same index and name). */
  present: boolean[];
  metrics: Partial<Record<Metric, ComparePercentile[]>>;
}

export interface CompareModel {
  runs: CompareRun[];
  settings: { seed: number; resamples: number; confidencePct: number; percentiles: number[]; metrics: Metric[] };
  overall: CompareStage;
  stages: CompareStage[];
  scaling: ScalingSummary[];
  errors: {
    kinds: string[];
    /** Per run: failures by kind (as recorded: timeouts under `timeout`). */
    byKind: Record<string, number>[];
    totals: { sent: number; ok: number; errors: number; timeouts: number; dropped: number; errorRate: number }[];
  };
  cost: (CostFigures | null)[];
  timelines: TimelineModel[];
}

/** A window's interval histograms of a metric: the run's intervals whose middle falls in [fromMs, toMs). */
function windowIntervals(run: RunData, metric: Metric, fromMs: number, toMs: number): Histogram[] {
  return intervalsTagged(run.hlog, metric)
    .filter((i) => {
      const mid = (i.startMs + i.endMs) / 2;
      return mid >= fromMs && mid < toMs;
    })
    .map((i) => i.histogram);
}

interface Scope {
  index: number;
  name: string;
  /** Per run: the stage index there and its window, or undefined when absent. */
  perRun: ({ stageIndex?: number; fromMs: number; toMs: number } | undefined)[];
}

function compareScope(runs: RunData[], scope: Scope, settings: CompareModel['settings'], options: BootstrapOptions): CompareStage {
  const metrics: CompareStage['metrics'] = {};
  for (const metric of settings.metrics) {
    const windows = scope.perRun.map((w, r) => {
      const run = runs[r];
      return w && run ? windowIntervals(run, metric, w.fromMs, w.toMs) : undefined;
    });
    const diffsPerRun = windows.map((hs, r) => {
      const base = windows[0];
      if (r === 0 || !hs || !base) return undefined;
      return bootstrapPercentileDiffs(base, hs, settings.percentiles, `${scope.index}/${metric}/${r}`, options);
    });
    metrics[metric] = settings.percentiles.map((p) => ({
      p,
      valuesMs: scope.perRun.map((w, r) => {
        const run = runs[r];
        return w && run ? (latencyValue(run, metric, { kind: 'percentile', p }, w.stageIndex) ?? null) : null;
      }),
      diffs: diffsPerRun.map((ds) => ds?.find((d) => d.p === p) ?? null),
    }));
  }
  return { index: scope.index, name: scope.name, present: scope.perRun.map((w) => w !== undefined), metrics };
}

function errorsOf(runs: RunData[]): CompareModel['errors'] {
  const byKind = runs.map((r) => ({ ...(r.summary.totals.errorsByKind as Record<string, number>) }));
  return {
    kinds: [...new Set(byKind.flatMap((k) => Object.keys(k)))].sort(),
    byKind,
    totals: runs.map(({ summary: { totals: t } }) => ({
      sent: t.sent,
      ok: t.ok,
      errors: t.errors,
      timeouts: t.timeouts,
      dropped: t.dropped,
      errorRate: t.errorRate,
    })),
  };
}

export function compareRuns(runs: RunData[], options: CompareOptions = {}): CompareModel {
  if (runs.length === 0) throw new RangeError('compareRuns needs at least one run');
  const settings: CompareModel['settings'] = {
    seed: options.seed ?? DEFAULT_BOOTSTRAP.seed,
    resamples: options.resamples ?? DEFAULT_BOOTSTRAP.resamples,
    confidencePct: options.confidencePct ?? DEFAULT_BOOTSTRAP.confidencePct,
    percentiles: [...(options.percentiles ?? COMPARE_PERCENTILES)],
    metrics: [...(options.metrics ?? COMPARE_METRICS)],
  };
  const boot: BootstrapOptions = { seed: settings.seed, resamples: settings.resamples, confidencePct: settings.confidencePct };
  const overall = compareScope(
    runs,
    { index: -1, name: 'whole run', perRun: runs.map(() => ({ fromMs: -Infinity, toMs: Infinity })) },
    settings,
    boot,
  );
  const stageCount = Math.max(...runs.map((r) => r.summary.stages.length));
  const stages: CompareStage[] = [];
  for (let i = 0; i < stageCount; i++) {
    const name = runs.map((r) => r.summary.stages[i]?.name).find((n) => n !== undefined) ?? `stage ${i}`;
    const perRun = runs.map((r) => {
      const s = r.summary.stages[i];
      return s && s.name === name ? { stageIndex: i, fromMs: s.startMs, toMs: s.endMs } : undefined;
    });
    stages.push(compareScope(runs, { index: i, name, perRun }, settings, boot));
  }
  const scaling = runs.map((r) => scalingFigures(r, options));
  return {
    runs: runs.map((r) => ({
      label: basename(r.dir),
      dir: r.dir,
      profile: r.run.profile.name,
      target: r.run.target.url ?? r.run.target.kind,
      startMs: r.run.startMs,
      durationS: r.summary.run.durationS,
    })),
    settings,
    overall,
    stages,
    scaling,
    errors: errorsOf(runs),
    cost: scaling.map((s) => s.cost ?? null),
    timelines: runs.map((r) => buildTimeline(r, options)),
  };
}
