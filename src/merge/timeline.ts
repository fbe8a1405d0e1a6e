/**
 * Merging shard timelines (pure). Shards share the start instant and the interval, so interval k
 * of every shard covers [start + k·interval, start + (k+1)·interval); only the last, partial one
 * differs in length (each shard ends when its own last stream does), and the merged row takes the
 * longest. Counters and the in-flight gauge add; the offered rate is the plan's (every shard's row
 * carries the whole plan's rate, not its share), and the percentiles come from the merged histograms.
 */
import type { TimelineRow } from '../record/recorder.js';
import { sumByKind } from './counts.js';

const SUMMED = ['scheduled', 'sent', 'completed', 'ok', 'inFlight', 'dropped', 'timeouts', 'errors', 'outputTokens'] as const satisfies readonly (keyof TimelineRow)[];

export interface IntervalPercentiles {
  ttft?: { p50Ms: number; p99Ms: number };
  e2e?: { p50Ms: number; p99Ms: number };
}

/** Interval index of a row or histogram starting at `tMs` (rounded: the log keeps milliseconds). */
export function intervalIndex(tMs: number, startAtMs: number, intervalMs: number): number {
  return Math.round((tMs - startAtMs) / intervalMs);
}

export function mergeTimelines(
  shards: readonly (readonly TimelineRow[])[],
  startAtMs: number,
  intervalMs: number,
  percentiles: (k: number) => IntervalPercentiles,
): TimelineRow[] {
  const byIndex = new Map<number, TimelineRow[]>();
  for (const rows of shards) {
    for (const row of rows) {
      const k = intervalIndex(row.tMs, startAtMs, intervalMs);
      byIndex.set(k, [...(byIndex.get(k) ?? []), row]);
    }
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([k, rows]) => {
      const longest = rows.reduce((a, b) => (b.intervalMs > a.intervalMs ? b : a));
      const sums = Object.fromEntries(SUMMED.map((f) => [f, rows.reduce((s, r) => s + r[f], 0)])) as Record<(typeof SUMMED)[number], number>;
      const { ttft, e2e } = percentiles(k);
      return {
        tMs: startAtMs + k * intervalMs,
        offsetS: (k * intervalMs) / 1000,
        intervalMs: longest.intervalMs,
        offeredRps: longest.offeredRps,
        scheduled: sums.scheduled,
        sent: sums.sent,
        completed: sums.completed,
        ok: sums.ok,
        inFlight: sums.inFlight,
        dropped: sums.dropped,
        timeouts: sums.timeouts,
        errors: sums.errors,
        errorsByKind: sumByKind(rows.map((r) => r.errorsByKind)),
        outputTokens: sums.outputTokens,
        outputTokensPerS: longest.intervalMs > 0 ? (sums.outputTokens * 1000) / longest.intervalMs : 0,
        ...(ttft && { ttftP50Ms: ttft.p50Ms, ttftP99Ms: ttft.p99Ms }),
        ...(e2e && { e2eP50Ms: e2e.p50Ms, e2eP99Ms: e2e.p99Ms }),
      };
    });
}
