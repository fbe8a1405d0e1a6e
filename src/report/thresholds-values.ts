/**
 * Values of a run that thresholds, baselines and comparisons read: latency statistics from the
 * hlog histograms (exact for any percentile; overall = every interval of the tag merged, a stage =
 * its `<metric>.stage<i>` histogram), falling back to summary.json when the log lacks them;
 * counters from summary.json; stages found by index or name.
 */
import type { Histogram } from 'hdr-histogram-js';
import { countAboveUs, intervalsTagged, mergeHistograms, percentileMs } from '../correlate/histograms.js';
import type { LatencyStats, Metric } from '../record/histograms.js';
import type { CountsSummary, StageSummary } from '../record/summary.js';
import type { RunData } from './run-data.js';
import type { LatencyStat } from './thresholds-schema.js';

const merged = new WeakMap<RunData, Map<string, Histogram>>();

/** The histogram of a metric over the run or one stage (cached per run); undefined if the log has none. */
export function latencyHistogram(run: RunData, metric: Metric, stageIndex?: number): Histogram | undefined {
  const tag = stageIndex === undefined ? metric : `${metric}.stage${stageIndex}`;
  let cache = merged.get(run);
  if (!cache) merged.set(run, (cache = new Map()));
  if (!cache.has(tag)) {
    const intervals = intervalsTagged(run.hlog, tag);
    if (intervals.length > 0) cache.set(tag, mergeHistograms(intervals.map((i) => i.histogram)));
  }
  return cache.get(tag);
}

const SUMMARY_PERCENTILES: Record<number, keyof LatencyStats> = { 50: 'p50Ms', 90: 'p90Ms', 95: 'p95Ms', 99: 'p99Ms', 99.9: 'p999Ms', 100: 'maxMs' };

/** A latency statistic in ms, or undefined when the run has no sample of the metric (there). */
export function latencyValue(run: RunData, metric: Metric, stat: LatencyStat, stageIndex?: number): number | undefined {
  const h = latencyHistogram(run, metric, stageIndex);
  if (h) {
    if (h.totalCount === 0) return undefined;
    if (stat.kind === 'percentile') return percentileMs(h, stat.p);
    const us = stat.kind === 'mean' ? h.mean : stat.kind === 'min' ? h.minNonZeroValue : h.maxValue;
    return Math.round(us) / 1000;
  }
  const stats = stageIndex === undefined ? run.summary.metrics[metric] : run.summary.stages[stageIndex]?.metrics[metric];
  if (!stats) return undefined;
  const key = stat.kind === 'percentile' ? SUMMARY_PERCENTILES[stat.p] : (`${stat.kind}Ms` as const);
  return key === undefined ? undefined : stats[key];
}

/** The stage an index or name refers to, or a reason naming the valid ones. */
export function resolveStage(run: RunData, ref: number | string): { stage: StageSummary } | { reason: string } {
  const stages = run.summary.stages;
  const stage = typeof ref === 'number' ? stages[ref] : stages.find((s) => s.name === ref);
  if (stage) return { stage };
  const list = stages.map((s) => `${s.index} ${JSON.stringify(s.name)}`).join(', ');
  return { reason: `no stage ${typeof ref === 'number' ? ref : JSON.stringify(ref)} in this run; stages: ${list}` };
}

export interface GoodputSlo {
  ttftMs?: number;
  e2eMs?: number;
}

/**
 * Requests per second that succeeded within every SLO set. Histograms keep no pairing of a
 * request's TTFT with its e2e, so with both set this is the conservative bound
 * ok − (requests over the TTFT SLO) − (requests over the e2e SLO); with one set it is exact
 * (to the histogram's 0.1%).
 */
export function goodputRps(run: RunData, counts: CountsSummary, durationS: number, slo: GoodputSlo, stageIndex?: number): number | undefined {
  if (durationS <= 0) return undefined;
  let over = 0;
  for (const [metric, limitMs] of [['ttft', slo.ttftMs], ['e2e', slo.e2eMs]] as const) {
    if (limitMs === undefined) continue;
    const h = latencyHistogram(run, metric, stageIndex);
    if (!h) return undefined;
    over += countAboveUs(h, limitMs * 1000);
  }
  return Math.round((Math.max(0, counts.ok - over) / durationS) * 1000) / 1000;
}
