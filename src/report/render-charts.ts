/**
 * The charts of report.html as plain data: every series already aligned on its x values, so the
 * page's script only hands them to uPlot. Time charts share one axis, seconds since the run's start;
 * the distribution charts put percentiles on a "nines" axis (x = -log10(1 - p/100): 0 → p0,
 * 1 → p90, 2 → p99, 3 → p99.9, 4 → p99.99).
 */
import type { Histogram } from 'hdr-histogram-js';
import type { CloudData } from '../cloud/types.js';
import { intervalsTagged, mergeHistograms, percentileMs } from '../correlate/histograms.js';
import type { TimelineModel } from '../correlate/types.js';
import type { RunData } from './run-data.js';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x; null where the series has no point (drawn as a gap, or spanned when `spanGaps`). */
  values: (number | null)[];
  /** The right-hand axis (`y2Label`) instead of the left one. */
  right?: boolean;
  /** Drawn as a step line: the value holds until the next point. */
  step?: boolean;
  dash?: number[];
  spanGaps?: boolean;
}

/** An instant marked on a time chart (an alarm transition). */
export interface ChartMarker {
  xS: number;
  label: string;
  color: string;
}

/** A span shaded on a time chart (a scaling activity, start → end). */
export interface ChartBand {
  startS: number;
  endS: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** One sentence under the chart: what it shows and how to read it. */
  caption: string;
  xKind: 'time' | 'nines';
  x: number[];
  yLabel: string;
  y2Label?: string;
  /** Offers a log-scale switch for the y axis. */
  logToggle?: boolean;
  series: ChartSeries[];
  markers?: ChartMarker[];
  bands?: ChartBand[];
  /** Set when there is nothing to draw: the page shows this note instead of a chart. */
  empty?: string;
}

export interface ChartsModel {
  /** The shared time axis runs from 0 to this (seconds since the run's start). */
  durationS: number;
  charts: ChartSpec[];
}

/** Colours chosen to stay apart for the colour-blind (Okabe–Ito) plus two greys. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000', '#999999'] as const;
const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000000';

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Puts several (x, y) series on one sorted x axis, null where a series has no point at an x.
 * Each input is a list of [x, y] pairs.
 */
export function joinSeries(inputs: [number, number][][]): { x: number[]; values: (number | null)[][] } {
  const x = [...new Set(inputs.flatMap((pts) => pts.map(([px]) => px)))].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const values = inputs.map((pts) => {
    const out: (number | null)[] = x.map(() => null);
    for (const [px, py] of pts) {
      const i = index.get(px);
      if (i !== undefined) out[i] = py;
    }
    return out;
  });
  return { x, values };
}

const NINES_MAX = 4;
const NINES_STEP = 0.05;

/** Percentile at a nines-axis x: 100 × (1 − 10^−x). */
export function ninesToPercentile(x: number): number {
  return 100 * (1 - 10 ** -x);
}

/**
 * A histogram's percentile curve on the nines axis, up to p99.99 but no further than its count
 * supports (the top 1/n of n values is just the max): x from 0 in steps of 0.05.
 */
export function percentileCurve(h: Histogram): [number, number][] {
  if (h.totalCount === 0) return [];
  const topX = round3(Math.min(NINES_MAX, Math.log10(h.totalCount)));
  const xs: number[] = [];
  for (let k = 0; k * NINES_STEP <= topX + 1e-9; k++) xs.push(round3(k * NINES_STEP));
  if ((xs[xs.length - 1] ?? 0) < topX) xs.push(topX);
  return xs.map((x) => [x, percentileMs(h, ninesToPercentile(x)) ?? 0]);
}

/** Seconds since the run's start. */
const relS = (t: TimelineModel, tMs: number): number => round3((tMs - t.runStartMs) / 1000);

/** x of an interval: its midpoint (an interval's figures describe all of it). */
const intervalX = (t: TimelineModel): number[] => t.offsetS.map((o, i) => round3(o + (t.lengthS[i] ?? 0) / 2));

/** End of the last interval, seconds since the start. */
const timelineEndS = (t: TimelineModel): number => {
  const last = t.offsetS.length - 1;
  return last < 0 ? 0 : round3((t.offsetS[last] ?? 0) + (t.lengthS[last] ?? 0));
};

/** The planned steps as markers: where to look for the autoscaler's answer. */
function stepMarkers(t: TimelineModel): ChartMarker[] {
  return t.steps.map((s) => ({
    xS: relS(t, s.t0Ms),
    label: `step ${s.direction} ${s.fromRps}→${s.toRps} req/s`,
    color: '#777777',
  }));
}

function loadChart(t: TimelineModel): ChartSpec {
  return {
    id: 'load',
    title: 'Offered and achieved load',
    caption:
      'Planned arrival rate (dashed), requests sent and answered successfully per second, and requests in flight at the end of each interval (right axis); grey lines mark the planned steps.',
    xKind: 'time',
    x: intervalX(t),
    yLabel: 'req/s',
    y2Label: 'in flight',
    series: [
      { label: 'offered req/s', color: color(8), values: t.offeredRps, step: true, dash: [6, 4] },
      { label: 'sent req/s', color: color(0), values: t.sentRps },
      { label: 'ok req/s', color: color(2), values: t.okRps },
      { label: 'in flight', color: color(1), values: t.inFlight, right: true },
    ],
    markers: stepMarkers(t),
  };
}

function latencyChart(t: TimelineModel): ChartSpec {
  const pcts = [
    { p: 'p50', c: 2 },
    { p: 'p90', c: 1 },
    { p: 'p99', c: 4 },
  ] as const;
  const series: ChartSeries[] = [];
  for (const [metric, name, dash] of [
    ['ttft', 'TTFT', undefined],
    ['e2e', 'e2e', [5, 3]],
  ] as const) {
    for (const { p, c } of pcts) {
      series.push({ label: `${name} ${p}`, color: color(c), values: t.latency[metric][p], ...(dash && { dash: [...dash] }) });
    }
  }
  const any = series.some((s) => s.values.some((v) => v !== null));
  return {
    id: 'latency',
    title: 'Latency per interval',
    caption:
      'p50, p90 and p99 of time to first token (solid) and end-to-end latency (dashed) of the requests that ended in each interval, measured from the planned send time.',
    xKind: 'time',
    x: intervalX(t),
    yLabel: 'ms',
    logToggle: true,
    series,
    markers: stepMarkers(t),
    ...(!any && { empty: 'no successful request: no latency to plot' }),
  };
}

function errorsChart(t: TimelineModel): ChartSpec {
  const kinds = Object.keys(t.errorsByKind).sort();
  const series: ChartSeries[] =
    kinds.length > 0
      ? kinds.map((k, i) => ({ label: k, color: color(i + 4), values: t.errorsByKind[k] ?? [] }))
      : [{ label: 'errors', color: color(4), values: t.errors }];
  series.push({ label: 'dropped', color: color(8), values: t.dropped, dash: [4, 3] });
  return {
    id: 'errors',
    title: 'Errors by kind',
    caption: 'Failed requests per interval by kind, and requests dropped because the in-flight limit was reached (never sent).',
    xKind: 'time',
    x: intervalX(t),
    yLabel: 'requests',
    series,
  };
}

const NO_CLOUD =
  'no cloud data: this run has no cloud.json (a run against the simulator or SageMaker writes one; `scalelab collect <run>` fetches it later)';

const ALARM_COLORS: Record<string, string> = { ALARM: '#D55E00', OK: '#009E73' };

function capacityChart(t: TimelineModel, hasCloud: boolean): ChartSpec {
  const base = { id: 'capacity', title: 'Capacity, alarms and scaling activities', xKind: 'time' as const, x: [] as number[], series: [] as ChartSeries[] };
  if (!hasCloud) return { ...base, caption: 'Endpoint capacity over the run.', yLabel: 'capacity', empty: NO_CLOUD };
  const cap = t.capacity;
  const unit = cap?.unit === 'copy' ? 'copies' : 'instances';
  const caption =
    `Desired (dashed) and current ${unit} as step lines, sampled from the control plane; alarm state changes as ` +
    'triangles (red: into ALARM, green: back to OK, grey: other) and scaling activities shaded from start to end.';
  if (!cap || cap.tMs.length === 0) return { ...base, caption, yLabel: unit, empty: 'no capacity samples in cloud.json' };
  const x = cap.tMs.map((tMs) => relS(t, tMs));
  const endS = Math.max(...x, timelineEndS(t));
  return {
    ...base,
    caption,
    x,
    yLabel: unit,
    series: [
      { label: `desired ${unit}`, color: color(1), values: cap.desired, step: true, dash: [6, 4] },
      { label: `current ${unit}`, color: color(0), values: cap.current, step: true },
    ],
    markers: t.alarms.map((a) => ({ xS: relS(t, a.tMs), label: `${a.role} alarm ${a.from}→${a.to}`, color: ALARM_COLORS[a.to] ?? '#999999' })),
    bands: t.activities.map((a) => ({
      startS: relS(t, a.startMs),
      endS: a.endMs !== null ? relS(t, a.endMs) : endS,
      label: `${a.statusCode}: ${a.description}`,
      color: a.statusCode === 'Successful' ? 'rgba(0,114,178,0.13)' : 'rgba(213,94,0,0.15)',
    })),
  };
}

function cloudMetricsChart(t: TimelineModel, cloud: CloudData | undefined): ChartSpec {
  const base = {
    id: 'cloud-metrics',
    title: 'Concurrency and invocations (CloudWatch)',
    caption:
      'The scaling metric as CloudWatch saw it: concurrent requests per model or copy (left axis), invocations (right axis), and the target-tracking target (dotted) when there is one.',
    xKind: 'time' as const,
    x: [] as number[],
    yLabel: 'concurrent requests',
    y2Label: 'invocations',
    series: [] as ChartSeries[],
  };
  if (!cloud) return { ...base, empty: NO_CLOUD };
  const isConcurrency = (name: string): boolean => name.startsWith('ConcurrentRequestsPer');
  const isInvocations = (name: string): boolean => name.startsWith('Invocations');
  const chosen = [...t.metrics.filter((m) => isConcurrency(m.metricName)), ...t.metrics.filter((m) => isInvocations(m.metricName))].filter(
    (m) => m.tMs.length > 0,
  );
  if (chosen.length === 0) return { ...base, empty: 'no concurrency or invocation metric series in cloud.json' };
  const joined = joinSeries(chosen.map((m) => m.tMs.map((tMs, i): [number, number] => [relS(t, tMs), m.value[i] ?? 0])));
  const series: ChartSeries[] = chosen.map((m, i) => ({
    label: `${m.metricName} ${m.stat} (${m.periodS} s)`,
    color: color(i),
    values: joined.values[i] ?? [],
    spanGaps: true,
    ...(isInvocations(m.metricName) && { right: true, step: true }),
  }));
  const target = cloud.policies.find((p) => p.targetValue !== undefined && /ConcurrentRequests/.test(p.metric ?? ''));
  if (target?.targetValue !== undefined && chosen.some((m) => isConcurrency(m.metricName))) {
    const tv = target.targetValue;
    series.push({ label: `target ${tv} (${target.name})`, color: color(8), values: joined.x.map(() => tv), dash: [2, 4] });
  }
  return { ...base, x: joined.x, series };
}

function distributionChart(run: RunData, metric: 'ttft' | 'e2e', title: string): ChartSpec {
  const curves = run.summary.stages.map((s) => {
    const merged = mergeHistograms(intervalsTagged(run.hlog, `${metric}.stage${s.index}`).map((i) => i.histogram));
    return { stage: s, pts: percentileCurve(merged) };
  });
  const drawn = curves.filter((c) => c.pts.length > 0);
  const joined = joinSeries(drawn.map((c) => c.pts));
  return {
    id: `dist-${metric}`,
    title,
    caption: 'Latency at each percentile per stage, from the stage’s whole histogram; the x axis spreads the tail (90, 99, 99.9, 99.99).',
    xKind: 'nines',
    x: joined.x,
    yLabel: 'ms',
    logToggle: true,
    series: drawn.map((c, i) => ({ label: `stage ${c.stage.index} ${c.stage.name}`, color: color(i), values: joined.values[i] ?? [], spanGaps: true })),
    ...(drawn.length === 0 && { empty: 'no stage histogram holds a value' }),
  };
}

/** Every chart of a run's report, in page order, from its aligned timeline and its run directory. */
export function buildRunCharts(run: RunData, timeline: TimelineModel): ChartsModel {
  return {
    durationS: Math.max(run.summary.run.durationS, timelineEndS(timeline)),
    charts: [
      loadChart(timeline),
      latencyChart(timeline),
      capacityChart(timeline, run.cloud !== undefined),
      cloudMetricsChart(timeline, run.cloud),
      errorsChart(timeline),
      distributionChart(run, 'ttft', 'TTFT distribution per stage'),
      distributionChart(run, 'e2e', 'End-to-end distribution per stage'),
    ],
  };
}

/**
 * The comparison's overlaid timelines: interval p99 TTFT and current capacity of every run, each
 * on its own run-relative time, so equal offsets line up.
 */
export function buildCompareCharts(runs: { label: string; timeline: TimelineModel; durationS: number }[]): ChartsModel {
  const xs = runs.map(({ timeline }) => intervalX(timeline));
  const p99 = joinSeries(
    runs.map(({ timeline }, r) =>
      timeline.latency.ttft.p99.flatMap((v, i): [number, number][] => (v !== null ? [[xs[r]?.[i] ?? 0, v]] : [])),
    ),
  );
  const withCapacity = runs.map((r, i) => ({ ...r, i })).filter(({ timeline }) => (timeline.capacity?.tMs.length ?? 0) > 0);
  const cap = joinSeries(
    withCapacity.map(({ timeline }) => {
      const c = timeline.capacity;
      return c ? c.tMs.map((tMs, k): [number, number] => [relS(timeline, tMs), c.current[k] ?? 0]) : [];
    }),
  );
  return {
    durationS: Math.max(0, ...runs.map((r) => Math.max(r.durationS, timelineEndS(r.timeline)))),
    charts: [
      {
        id: 'compare-ttft',
        title: 'p99 TTFT per interval',
        caption: 'Interval p99 time to first token of each run, on time since each run’s start.',
        xKind: 'time',
        x: p99.x,
        yLabel: 'ms',
        logToggle: true,
        series: runs.map(({ label }, i) => ({ label, color: color(i), values: p99.values[i] ?? [], spanGaps: true })),
        ...(p99.x.length === 0 && { empty: 'no run has a successful request' }),
      },
      {
        id: 'compare-capacity',
        title: 'Current capacity',
        caption: 'Capacity in service (instances or copies) of each run, on time since each run’s start.',
        xKind: 'time',
        x: cap.x,
        yLabel: 'capacity',
        series: withCapacity.map(({ label, i }, k) => ({ label, color: color(i), values: cap.values[k] ?? [], step: true, spanGaps: true })),
        ...(withCapacity.length === 0 && { empty: NO_CLOUD }),
      },
    ],
  };
}
