/**
 * The comparison's model and tables: compareRuns' model (report/compare-model.ts) plus the overlaid
 * charts, and the tables both compare.md and compare.html show — runs with their errors and cost,
 * scaling figures side by side per step, and percentiles per stage with each run's difference
 * from the first and its bootstrap interval.
 */
import type { PercentileDiff } from '../correlate/bootstrap.js';
import type { Figure, StepFigures } from '../correlate/types.js';
import type { CompareModel, CompareStage } from './compare-model.js';
import { buildCompareCharts, type ChartsModel } from './render-charts.js';
import { DASH, fmtInstant, fmtMoney, fmtMs, fmtNum, fmtPct, fmtS, fmtSigned } from './render-format.js';
import { figureCell, type Cell, type Table } from './render-tables.js';

export interface CompareReportModel {
  title: string;
  compare: CompareModel;
  charts: ChartsModel;
}

export function buildCompareReportModel(compare: CompareModel): CompareReportModel {
  return {
    title: `scalelab comparison: ${compare.runs.map((r) => r.label).join(' vs ')}`,
    compare,
    // compareRuns gives one timeline per run.
    charts: buildCompareCharts(
      compare.runs.flatMap((r, i) => {
        const timeline = compare.timelines[i];
        return timeline ? [{ label: r.label, durationS: r.durationS, timeline }] : [];
      }),
    ),
  };
}

const c = (text: string, extra?: Omit<Cell, 'text'>): Cell => ({ text, ...extra });

/** What the differences and their intervals mean, in one sentence. */
export function uncertaintyNote(m: CompareModel): string {
  const first = m.runs[0]?.label ?? 'the first run';
  return (
    `Differences are each run minus ${first}, with a ${m.settings.confidencePct}% bootstrap interval over intervals ` +
    `(${m.settings.resamples} resamples, seed ${m.settings.seed}); ✱ marks a difference whose interval excludes 0.`
  );
}

/** Why figures are missing, per run (no cloud data, a missing permission…), labelled with the run. */
export function compareNotes(model: CompareReportModel): string[] {
  const m = model.compare;
  return m.scaling.flatMap((s, i) => s.notes.map((n) => `${m.runs[i]?.label ?? String(i)}: ${n}`));
}

/** Runs side by side: identity, outcomes, errors by kind, cost. */
export function compareRunsTable(m: CompareModel): Table {
  const kinds = m.errors.kinds;
  const head = ['run', 'profile', 'target', 'started', 'duration', 'sent', 'ok', 'errors', 'timeouts', 'dropped', 'error rate', ...kinds, 'capacity', 'cost'];
  return {
    head,
    footnotes: true,
    align: head.map((_, i) => (i < 4 ? 'left' : 'right')),
    rows: m.runs.map((r, i) => {
      const t = m.errors.totals[i];
      const cost = m.cost[i];
      return [
        c(r.label),
        c(r.profile),
        c(r.target),
        c(fmtInstant(r.startMs)),
        c(fmtS(r.durationS)),
        c(String(t?.sent ?? 0)),
        c(String(t?.ok ?? 0)),
        c(String(t?.errors ?? 0)),
        c(String(t?.timeouts ?? 0)),
        c(String(t?.dropped ?? 0)),
        c(fmtPct(t?.errorRate)),
        ...kinds.map((k) => c(String(m.errors.byKind[i]?.[k] ?? 0))),
        cost ? c(`${fmtNum(cost.unitSeconds, 0)} ${cost.unit}-s, mean ${fmtNum(cost.meanCapacity)}`) : c(DASH),
        cost ? figureCell(cost.costUsd, fmtMoney) : c(DASH),
      ];
    }),
  };
}

const FIGURES: { name: string; of: (f: StepFigures) => Figure | undefined; fmt?: (v: number) => string }[] = [
  { name: 'detection', of: (f) => f.detectionS },
  { name: 'reaction', of: (f) => f.reactionS },
  { name: 'capacity ready / released', of: (f) => (f.direction === 'up' ? f.capacityReadyS : f.capacityReleasedS) },
  { name: 'recovery', of: (f) => (f.direction === 'up' ? f.recoveryS : undefined) },
  { name: 'over SLO', of: (f) => (f.direction === 'up' ? f.sloViolationS : undefined) },
  { name: 'p99 excess', of: (f) => (f.direction === 'up' ? f.excessP99MsS : undefined), fmt: (v) => `${fmtNum(v, 0)} ms·s` },
];

/** Scaling figures side by side: one row per step × figure, one column per run (steps matched by index). */
export function compareScalingTable(m: CompareModel): Table {
  const stepCount = Math.max(0, ...m.scaling.map((s) => s.steps.length));
  const head = ['step', 'figure', ...m.runs.map((r) => r.label)];
  const rows: Cell[][] = [];
  for (let i = 0; i < stepCount; i++) {
    const perRun = m.scaling.map((s) => s.steps[i]);
    const known = perRun.find((f): f is StepFigures => f !== undefined);
    if (!known) continue;
    const step = known.step;
    const name = `${step.direction === 'up' ? '↑' : '↓'} ${fmtNum(step.fromRps)} → ${fmtNum(step.toRps)} req/s at ${fmtNum(step.offsetS, 1)} s`;
    for (const fig of FIGURES) {
      if (fig.of(known) === undefined) continue;
      rows.push([c(name), c(fig.name), ...perRun.map((f) => (f ? figureCell(fig.of(f), fig.fmt) : c(DASH, { note: 'no such step in this run' })))]);
    }
  }
  return { head, align: head.map((_, i) => (i < 2 ? 'left' : 'right')), rows, footnotes: true };
}

function diffCell(d: PercentileDiff | null): Cell {
  if (d === null) return c(DASH);
  const rel = d.diffPct !== null ? ` (${d.diffPct > 0 ? '+' : ''}${fmtNum(d.diffPct, 1)}%)` : '';
  const mark = d.significant ? ' ✱' : '';
  return c(`${fmtSigned(d.diffMs, fmtMs)}${rel}${mark}`, { note: `[${fmtSigned(d.ciLowMs, fmtMs)}, ${fmtSigned(d.ciHighMs, fmtMs)}]` });
}

function stageRows(stage: CompareStage, runs: number, metrics: readonly string[]): Cell[][] {
  const rows: Cell[][] = [];
  const name = stage.index < 0 ? stage.name : `${stage.index} ${stage.name}`;
  for (const [metric, pcts] of Object.entries(stage.metrics)) {
    if (!metrics.includes(metric)) continue;
    for (const pc of pcts ?? []) {
      rows.push([
        c(name),
        c(`${metric} p${pc.p}`),
        ...pc.valuesMs.map((v, r) => (stage.present[r] === false ? c(DASH, { note: 'stage absent' }) : c(v === null ? DASH : fmtMs(v)))),
        ...pc.diffs.slice(1, runs).map(diffCell),
      ]);
    }
  }
  return rows;
}

/** The metrics a comparison shows first; the others go under a fold. */
export const HEADLINE_METRICS = ['ttft', 'e2e'] as const;

/** The compared metrics besides the headline ones. */
export function otherMetrics(m: CompareModel): string[] {
  return m.settings.metrics.filter((x) => !(HEADLINE_METRICS as readonly string[]).includes(x));
}

/** Percentiles of `metrics` per stage (the whole run first) with differences from the first run. */
export function comparePercentileTable(m: CompareModel, metrics: readonly string[]): Table {
  const first = m.runs[0]?.label ?? '';
  const head = ['stage', 'percentile', ...m.runs.map((r) => r.label), ...m.runs.slice(1).map((r) => `${r.label} − ${first}`)];
  return {
    head,
    align: head.map((_, i) => (i < 2 ? 'left' : 'right')),
    rows: [m.overall, ...m.stages].flatMap((s) => stageRows(s, m.runs.length, metrics)),
  };
}
