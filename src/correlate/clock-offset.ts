/**
 * Clock offset between this machine and AWS, from HTTP `Date` headers.
 *
 * A `Date` header has 1 s resolution and is truncated: the server's clock read a time in
 * [serverDateMs, serverDateMs + 1000) at some local instant in [localSentMs, localRecvMs]. So
 * offset = server − local lies in the open interval
 *
 *     (serverDateMs − localRecvMs,  serverDateMs + 1000 − localSentMs)
 *
 * Every sample is such an interval and the true offset lies in all of them: the estimate is the
 * midpoint of their intersection (the tightest bounds). Samples taken at varied sub-second phases
 * shrink it towards the round-trip time. If the intersection is empty (a clock stepped during the
 * run, a proxy rewrote the header), the estimate falls back to the median of the per-sample
 * midpoints and says `consistent: false`.
 */
import type { CloudData } from '../cloud/types.js';

export interface DateSample {
  localSentMs: number;
  localRecvMs: number;
  /** The `Date` header, parsed, epoch ms (a whole second). */
  serverDateMs: number;
}

export interface ClockOffsetEstimate {
  /** Server clock minus local clock, ms (add to a local time to get AWS time). */
  offsetMs: number;
  /** Bounds of the offset: the intersection of all samples' intervals (or the fallback's spread). */
  lowMs: number;
  highMs: number;
  /** Half the bounds' width. */
  uncertaintyMs: number;
  samples: number;
  consistent: boolean;
}

const DATE_RESOLUTION_MS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** The offset estimate, or undefined without samples. */
export function estimateClockOffset(samples: readonly DateSample[]): ClockOffsetEstimate | undefined {
  if (samples.length === 0) return undefined;
  const bounds = samples.map((s) => ({ low: s.serverDateMs - s.localRecvMs, high: s.serverDateMs + DATE_RESOLUTION_MS - s.localSentMs }));
  const lowMs = Math.max(...bounds.map((b) => b.low));
  const highMs = Math.min(...bounds.map((b) => b.high));
  if (lowMs <= highMs) {
    return { offsetMs: (lowMs + highMs) / 2, lowMs, highMs, uncertaintyMs: (highMs - lowMs) / 2, samples: samples.length, consistent: true };
  }
  const mids = bounds.map((b) => (b.low + b.high) / 2);
  const lo = Math.min(...mids);
  const hi = Math.max(...mids);
  return { offsetMs: median(mids), lowMs: lo, highMs: hi, uncertaintyMs: (hi - lo) / 2, samples: samples.length, consistent: false };
}

/**
 * Cloud data with every AWS-stamped time (alarm history, scaling activities, metric points) moved
 * to this machine's clock (local = aws − offsetMs), `clockOffsetMs` set. Capacity samples and the
 * window are stamped locally when polled and stay as they are. The cloud readers apply it once
 * before writing cloud.json; correlate/ reads cloud.json's times as local and never shifts again.
 */
export function shiftCloudTimes(cloud: CloudData, offsetMs: number): CloudData {
  const t = (ms: number): number => ms - offsetMs;
  return {
    ...cloud,
    clockOffsetMs: offsetMs,
    alarmTransitions: cloud.alarmTransitions.map((a) => ({ ...a, tMs: t(a.tMs) })),
    activities: cloud.activities.map((a) => ({ ...a, startMs: t(a.startMs), ...(a.endMs !== undefined && { endMs: t(a.endMs) }) })),
    metrics: cloud.metrics.map((m) => ({ ...m, points: m.points.map((p) => ({ ...p, tMs: t(p.tMs) })) })),
  };
}
