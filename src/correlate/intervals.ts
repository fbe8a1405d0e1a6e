/**
 * The run's intervals with their latency percentiles: timeline.ndjson rows (counts) joined with
 * latency.hlog's interval histograms of the same start (exact percentiles, p90 included). A row
 * whose histogram is missing from the log keeps the row's own p50/p99 and has no p90.
 */
import type { RunData } from '../report/run-data.js';
import { intervalsTagged, percentileMs } from './histograms.js';

export type LatencyMetric = 'ttft' | 'e2e';

export interface IntervalLatency {
  startMs: number;
  endMs: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  ok: number;
  /** Errors and timeouts: requests that ended without a latency sample. */
  failed: number;
}

const rowFallback = {
  ttft: { p50: 'ttftP50Ms', p99: 'ttftP99Ms' },
  e2e: { p50: 'e2eP50Ms', p99: 'e2eP99Ms' },
} as const;

export function intervalLatency(run: Pick<RunData, 'timeline' | 'hlog'>, metric: LatencyMetric): IntervalLatency[] {
  const byStart = new Map(intervalsTagged(run.hlog, metric).map((i) => [Math.round(i.startMs), i.histogram]));
  const keys = rowFallback[metric];
  return run.timeline.map((row) => {
    const h = byStart.get(Math.round(row.tMs));
    const at = (p: number): number | null => (h ? (percentileMs(h, p) ?? null) : null);
    return {
      startMs: row.tMs,
      endMs: row.tMs + row.intervalMs,
      p50Ms: h ? at(50) : (row[keys.p50] ?? null),
      p90Ms: at(90),
      p99Ms: h ? at(99) : (row[keys.p99] ?? null),
      ok: row.ok,
      failed: row.errors + row.timeouts,
    };
  });
}
