/**
 * Which period to ask CloudWatch for, and how to split GetMetricData calls within its limits.
 * Pure: tested with exact tables.
 *
 * Period (by the age of the window's start, CloudWatch's retention and StartTime rules):
 *
 * | start age              | period                                   |
 * |------------------------|------------------------------------------|
 * | ≤ 3 h − 5 min          | the metric's own (10 s high resolution, 60 s standard) |
 * | ≤ 15 days              | max(own, 60 s)                           |
 * | ≤ 63 days              | max(own, 300 s)                          |
 * | older                  | 3600 s                                   |
 *
 * Sub-minute data is kept 3 hours; the 5 minutes of slack keep the start inside that while the
 * fetch runs.
 *
 * Calls: at most 500 queries and 100,800 datapoints each. Queries are taken in order, 500 a call
 * (a query's datapoints over the window are window / period); when a group's datapoints exceed
 * the limit, its window is cut into consecutive slices of equal length L (the last one shorter),
 * L the longest multiple of the group's alignment that keeps Σ L / periodᵢ ≤ 100,800. The window
 * is first widened to the alignment (the least common multiple of the group's periods) on the
 * epoch, so no period straddles two slices and each datapoint is asked for exactly once.
 */

export const MAX_QUERIES_PER_CALL = 500;
export const MAX_DATAPOINTS_PER_CALL = 100_800;

const S = 1000;
const HOUR_MS = 3600 * S;
const DAY_MS = 24 * HOUR_MS;
const HIGH_RESOLUTION_RETENTION_MS = 3 * HOUR_MS - 5 * 60 * S;

/** The period for a metric whose own period is `nativePeriodS`, for a window starting `startAgeMs` ago. */
export function periodForAge(nativePeriodS: number, startAgeMs: number): number {
  if (startAgeMs <= HIGH_RESOLUTION_RETENTION_MS) return nativePeriodS;
  if (startAgeMs <= 15 * DAY_MS) return Math.max(nativePeriodS, 60);
  if (startAgeMs <= 63 * DAY_MS) return Math.max(nativePeriodS, 300);
  return Math.max(nativePeriodS, 3600);
}

export interface PlannedQuery {
  id: string;
  periodS: number;
}

export interface PlannedCall<Q extends PlannedQuery = PlannedQuery> {
  queries: Q[];
  startMs: number;
  endMs: number;
}

export interface CallLimits {
  maxQueries: number;
  maxDatapoints: number;
}

const DEFAULT_LIMITS: CallLimits = { maxQueries: MAX_QUERIES_PER_CALL, maxDatapoints: MAX_DATAPOINTS_PER_CALL };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** The calls that fetch `queries` over [startMs, endMs), in order: query groups, then slices. */
export function planMetricCalls<Q extends PlannedQuery>(queries: readonly Q[], window: { startMs: number; endMs: number }, limits: CallLimits = DEFAULT_LIMITS): PlannedCall<Q>[] {
  const calls: PlannedCall<Q>[] = [];
  for (let i = 0; i < queries.length; i += limits.maxQueries) {
    const group = queries.slice(i, i + limits.maxQueries);
    const alignS = group.reduce((a, q) => lcm(a, q.periodS), 1);
    const alignMs = alignS * S;
    const startMs = Math.floor(window.startMs / alignMs) * alignMs;
    const endMs = Math.max(startMs + alignMs, Math.ceil(window.endMs / alignMs) * alignMs);
    // The group's datapoints per alignment unit: whole numbers, so the division below is exact.
    const pointsPerUnit = group.reduce((a, q) => a + alignS / q.periodS, 0);
    const sliceMs = Math.max(1, Math.floor(limits.maxDatapoints / pointsPerUnit)) * alignMs;
    for (let from = startMs; from < endMs; from += sliceMs) calls.push({ queries: group, startMs: from, endMs: Math.min(endMs, from + sliceMs) });
  }
  return calls;
}
