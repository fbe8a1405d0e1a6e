/**
 * The tables of a report, built once and rendered by both markdown.ts and html.ts, so the two
 * formats always say the same thing.
 */
import { METRICS, METRIC_TITLES, type LatencyStats, type Metric } from '../record/histograms.js';
import type { CountsSummary } from '../record/summary.js';
import type { CostFigures, Figure, ScalingSettings, StepFigures, ThresholdResult } from '../correlate/types.js';
import { DASH, fmtMoney, fmtMs, fmtNum, fmtPct, fmtS } from './render-format.js';
import type { RunHeader, RunReportModel, StageView } from './render-model.js';

export interface Cell {
  text: string;
  /** Shown as ✅ / ❌ before the text. */
  status?: 'pass' | 'fail';
  /** A note on the value: why it is missing, how sure it is. */
  note?: string;
  /** Set by `numberNotes`: the number of this cell's note in the table's footnotes. */
  ref?: number;
}

export interface Table {
  caption?: string;
  head: string[];
  /** Column alignment: numbers right, names left. */
  align: ('left' | 'right')[];
  rows: Cell[][];
  /** Notes become numbered footnotes under the table (each distinct note once) instead of sitting in the cells. */
  footnotes?: boolean;
}

/**
 * A footnoted table's notes numbered in order of first appearance, each distinct note once: the
 * cells get `ref` instead of `note`. Other tables come back as they are, with no footnotes.
 */
export function numberNotes(t: Table): { table: Table; footnotes: string[] } {
  if (!t.footnotes) return { table: t, footnotes: [] };
  const footnotes: string[] = [];
  const rows = t.rows.map((r) =>
    r.map(({ note, ...cell }) => {
      if (note === undefined) return cell;
      let i = footnotes.indexOf(note);
      if (i < 0) i = footnotes.push(note) - 1;
      return { ...cell, ref: i + 1 };
    }),
  );
  return { table: { ...t, rows }, footnotes };
}

const c = (text: string, extra?: Omit<Cell, 'text'>): Cell => ({ text, ...extra });

const PERCENTILE_COLUMNS: { title: string; key: keyof LatencyStats }[] = [
  { title: 'p50', key: 'p50Ms' },
  { title: 'p90', key: 'p90Ms' },
  { title: 'p95', key: 'p95Ms' },
  { title: 'p99', key: 'p99Ms' },
  { title: 'p99.9', key: 'p999Ms' },
  { title: 'max', key: 'maxMs' },
];

/** Latency percentiles of every metric in one scope (overall or a stage). */
export function percentileTable(metrics: Partial<Record<Metric, LatencyStats>>, caption?: string): Table {
  return {
    ...(caption !== undefined && { caption }),
    head: ['metric', 'count', ...PERCENTILE_COLUMNS.map((p) => p.title)],
    align: ['left', 'right', ...PERCENTILE_COLUMNS.map(() => 'right' as const)],
    rows: METRICS.map((m) => {
      const st = metrics[m];
      return [c(`${m} (${METRIC_TITLES[m]})`), c(String(st?.count ?? 0)), ...PERCENTILE_COLUMNS.map((p) => c(fmtMs(st?.[p.key])))];
    }),
  };
}

/** One row per stage: outcome counts and the headline percentiles. */
export function stageTable(stages: StageView[]): Table {
  return {
    head: ['stage', 'window', 'ok', 'errors', 'dropped', 'req/s ok', 'TTFT p50', 'TTFT p90', 'TTFT p99', 'e2e p50', 'e2e p90', 'e2e p99'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: stages.map((s) => [
      c(`${s.index} ${s.name}`, s.description !== undefined ? { note: s.description } : undefined),
      c(`${fmtNum(s.startS, 1)}–${fmtNum(s.endS, 1)} s`),
      c(String(s.counts.ok)),
      c(String(s.counts.errors + s.counts.timeouts)),
      c(String(s.counts.dropped)),
      c(fmtNum(s.counts.throughputRps)),
      c(fmtMs(s.metrics.ttft?.p50Ms)),
      c(fmtMs(s.metrics.ttft?.p90Ms)),
      c(fmtMs(s.metrics.ttft?.p99Ms)),
      c(fmtMs(s.metrics.e2e?.p50Ms)),
      c(fmtMs(s.metrics.e2e?.p90Ms)),
      c(fmtMs(s.metrics.e2e?.p99Ms)),
    ]),
  };
}

/** A figure's cell: the value in its unit, or "—" with the reason it is missing. */
export function figureCell(f: Figure | undefined, fmt: (v: number) => string = fmtS): Cell {
  if (f === undefined) return c('');
  return f.value === null ? c(DASH, { note: f.reason }) : c(fmt(f.value));
}

const fmtMsS = (v: number): string => `${fmtNum(v, 0)} ms·s`;

function stepName(f: StepFigures): string {
  const s = f.step;
  return `${s.direction === 'up' ? '↑' : '↓'} ${fmtNum(s.fromRps)} → ${fmtNum(s.toRps)} req/s at ${fmtNum(s.offsetS, 1)} s`;
}

function capacityCell(f: StepFigures): Cell {
  if (f.capacityBefore === null && f.capacityTarget === null) return c(DASH);
  const fmt = (v: number | null): string => (v === null ? '?' : String(v));
  return c(`${fmt(f.capacityBefore)} → ${fmt(f.capacityTarget)}`);
}

/**
 * The scaling figures, one row per planned step. Steps down have no recovery or SLO debt; their
 * "capacity ready" column holds the time until capacity was released.
 */
export function stepsTable(steps: StepFigures[]): Table {
  const head = ['step', 'capacity', 'detection', 'reaction', 'capacity ready / released', 'recovery', 'over SLO', 'p99 excess'];
  return {
    footnotes: true,
    head,
    align: head.map((_, i) => (i === 0 ? 'left' : 'right')),
    rows: steps.map((f) => [
      c(stepName(f)),
      capacityCell(f),
      figureCell(f.detectionS),
      figureCell(f.reactionS),
      figureCell(f.direction === 'up' ? f.capacityReadyS : f.capacityReleasedS),
      ...(f.direction === 'up'
        ? [figureCell(f.recoveryS), figureCell(f.sloViolationS), figureCell(f.excessP99MsS, fmtMsS)]
        : [c(''), c(''), c('')]),
    ]),
  };
}

/** The scaling notes not already given as the reason of a missing figure in the steps table. */
export function remainingNotes(notes: string[], steps: StepFigures[]): string[] {
  const reasons = new Set(
    steps.flatMap((f) =>
      [f.detectionS, f.reactionS, ...(f.direction === 'up' ? [f.capacityReadyS, f.recoveryS, f.sloViolationS, f.excessP99MsS] : [f.capacityReleasedS])].map(
        (x) => x.reason,
      ),
    ),
  );
  return notes.filter((n) => !reasons.has(n));
}

/** How the scaling figures were computed, in one sentence. */
export function settingsLine(s: ScalingSettings): string {
  const limit =
    s.sloMs !== null
      ? `under the SLO of ${fmtMs(s.sloMs)}`
      : `within ${fmtNum(s.baselineTolerancePct)}% of the pre-step baseline (no SLO set)`;
  return (
    `A step is a change of at least ${fmtNum(s.stepThresholdPct)}% in planned rate; times are from the step. ` +
    `Recovery: interval p99 ${s.recoveryMetric} ${limit} for ${s.recoveryIntervals} consecutive intervals. ` +
    'Over SLO: seconds of intervals with p99 above the SLO; p99 excess: area of p99 above the baseline.'
  );
}

/** A threshold's value in its unit. */
export function fmtThresholdValue(v: number, unit: string): string {
  switch (unit) {
    case 'ms':
      return fmtMs(v);
    case 's':
      return fmtS(v);
    case 'rps':
      return `${fmtNum(v)} req/s`;
    case 'ratio':
      return fmtPct(v);
    case 'usd':
      return fmtMoney(v);
    default:
      return fmtNum(v, 3);
  }
}

/** Thresholds with ✅ / ❌. */
export function thresholdsTable(thresholds: ThresholdResult[]): Table {
  return {
    head: ['', 'threshold', 'limit', 'actual'],
    align: ['left', 'left', 'right', 'right'],
    rows: thresholds.map((t) => [
      c(t.pass ? 'pass' : 'fail', { status: t.pass ? 'pass' : 'fail' }),
      c(t.source === 'baseline' ? `${t.expression} (baseline)` : t.expression),
      c(`${t.op} ${fmtThresholdValue(t.expected, t.unit)}`),
      t.actual === null ? c(DASH, t.reason !== undefined ? { note: t.reason } : undefined) : c(fmtThresholdValue(t.actual, t.unit), t.reason !== undefined ? { note: t.reason } : undefined),
    ]),
  };
}

/** The run's identity as label/value pairs. */
export function headerFacts(h: RunHeader): [string, string][] {
  return [
    ['profile', h.profile],
    ['target', h.target],
    ['started', h.startedIso],
    ['duration', fmtS(h.durationS)],
    ['stop', h.stopDetail !== undefined ? `${h.stopReason} (${h.stopDetail})` : h.stopReason],
    ['seed', String(h.seed)],
    ['interval', fmtS(h.intervalS)],
    ...(h.cloud !== undefined ? ([['cloud', h.cloud]] as [string, string][]) : []),
    ['tool', h.tool],
  ];
}

/** One sentence of totals. */
export function totalsLine(t: CountsSummary): string {
  const kinds = Object.entries(t.errorsByKind)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n}`);
  return (
    `${t.sent} sent · ${t.ok} ok · ${t.errors} errors · ${t.timeouts} timeouts · ${t.dropped} dropped · ${t.cancelled} cancelled` +
    ` · error rate ${fmtPct(t.errorRate)} · ${fmtNum(t.throughputRps)} req/s ok · ${fmtNum(t.outputTokensPerS, 1)} output tokens/s` +
    (kinds.length > 0 ? ` · errors by kind: ${kinds.join(', ')}` : '')
  );
}

/** Cost in one sentence. */
export function costLine(cost: CostFigures): string {
  const u = cost.unit;
  const parts = [`${fmtNum(cost.unitSeconds, 0)} ${u}-seconds (${fmtNum(cost.unitSeconds / 3600, 3)} ${u}-hours, mean ${fmtNum(cost.meanCapacity)} ${u}s)`];
  if (cost.costUsd.value !== null && cost.pricePerHour !== null) parts.push(`${fmtMoney(cost.costUsd.value)} at ${fmtMoney(cost.pricePerHour)} per ${u}-hour`);
  if (cost.costPerMillionOutputTokensUsd.value !== null) parts.push(`${fmtMoney(cost.costPerMillionOutputTokensUsd.value)} per million output tokens`);
  const reason = cost.costUsd.reason ?? cost.costPerMillionOutputTokensUsd.reason;
  if (reason !== undefined) parts.push(reason);
  return parts.join(' · ');
}
