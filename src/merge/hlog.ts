/**
 * Adding shard latency logs interval by interval (HDR histograms add exactly: the merged bucket
 * counts are the sums of the shards' bucket counts, so every percentile is what one process
 * recording every request would have got). One interval of all shards is held at a time; the
 * shards' logs are decoded histogram by histogram.
 *
 * Plain tags (e2e, ttft…) are interval histograms, aligned by their start relative to the common
 * start instant; `<metric>.stage<i>` tags are the per-stage totals a run writes at its end.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { HlogWriter } from '../record/hlog.js';
import { METRICS, intervalPercentiles, newMetricHistograms, type Metric, type MetricHistograms } from '../record/histograms.js';
import type { StagePlan } from '../profile/types.js';
import { intervalIndex, type IntervalPercentiles } from './timeline.js';

export interface MergedHlog {
  /** Per interval index: percentiles of the merged ttft and e2e histograms, for the timeline rows. */
  intervals: Map<number, IntervalPercentiles>;
  /** Every interval added: the run's overall histograms. */
  total: MetricHistograms;
  /** Per stage, from the `<metric>.stage<i>` tags. */
  stages: MetricHistograms[];
}

interface Entry {
  tag: string;
  startMs: number;
  endMs: number;
  histogram: Histogram;
}

/** One shard's log, read one histogram ahead. */
class LogCursor {
  private readonly reader: InstanceType<typeof hdr.HistogramLogReader>;
  head: Entry | undefined;

  constructor(content: string) {
    this.reader = new hdr.HistogramLogReader(content);
    this.advance();
  }

  advance(): void {
    const h = this.reader.nextIntervalHistogram();
    this.head = h === null ? undefined : { tag: h.tag, startMs: h.startTimeStampMsec, endMs: h.endTimeStampMsec, histogram: h };
  }
}

const STAGE_TAG = /^([a-z0-9]+)\.stage(\d+)$/;
const isMetric = (tag: string): tag is Metric => (METRICS as readonly string[]).includes(tag);

export interface HlogMergeInput {
  /** The shards' latency.hlog texts. */
  logs: readonly string[];
  startAtMs: number;
  intervalMs: number;
  stages: readonly StagePlan[];
  /** Where the merged log's text goes. */
  write: (text: string) => void;
}

export function mergeHlogs(o: HlogMergeInput): MergedHlog {
  const cursors = o.logs.map((text) => new LogCursor(text));
  const total = newMetricHistograms();
  const stages = o.stages.map(() => newMetricHistograms());
  const intervals = new Map<number, IntervalPercentiles>();
  const writer = new HlogWriter(o.write, o.startAtMs);
  writer.writeHeader('scalelab latency log: values in microseconds, tags e2e ttft itl tpot lag (merged shards)');

  // Stage totals (and tags this version does not know) are set aside, so heads are interval histograms.
  const skipStageTags = (c: LogCursor): void => {
    for (let e = c.head; e && !isMetric(e.tag); e = c.head) {
      const m = STAGE_TAG.exec(e.tag);
      const stage = m && isMetric(m[1] ?? '') ? stages[Number(m[2])] : undefined;
      if (stage) stage[m?.[1] as Metric].add(e.histogram);
      c.advance();
    }
  };
  const indexOf = (e: Entry): number => intervalIndex(e.startMs, o.startAtMs, o.intervalMs);

  for (;;) {
    cursors.forEach(skipStageTags);
    const heads = cursors.flatMap((c) => (c.head ? [indexOf(c.head)] : []));
    if (heads.length === 0) break;
    const k = Math.min(...heads);
    const merged = newMetricHistograms();
    let endMs = o.startAtMs + k * o.intervalMs;
    for (const c of cursors) {
      for (let e = c.head; e && isMetric(e.tag) && indexOf(e) === k; e = c.head) {
        merged[e.tag].add(e.histogram);
        endMs = Math.max(endMs, e.endMs);
        c.advance();
      }
      skipStageTags(c);
    }
    const startMs = o.startAtMs + k * o.intervalMs;
    for (const m of METRICS) {
      writer.writeInterval(m, merged[m], startMs, endMs);
      total[m].add(merged[m]);
    }
    const ttft = intervalPercentiles(merged.ttft);
    const e2e = intervalPercentiles(merged.e2e);
    intervals.set(k, { ...(ttft && { ttft }), ...(e2e && { e2e }) });
  }

  for (const [i, stage] of o.stages.entries()) {
    const hs = stages[i];
    if (!hs) continue;
    const startMs = o.startAtMs + stage.startMs;
    for (const m of METRICS) writer.writeInterval(`${m}.stage${i}`, hs[m], startMs, startMs + stage.durationMs);
  }
  return { intervals, total, stages };
}
