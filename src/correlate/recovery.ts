/**
 * Latency around a step up: the pre-step baseline, recovery, and SLO debt, from interval p99s.
 *
 * - baseline: median of the interval p99s over the stage before t0 (intervals wholly inside it);
 * - an interval after t0 is *good* when its p99 ≤ limit (the SLO when set, else baseline × (1 +
 *   tolerance)), *bad* when its p99 exceeds it or it has no latency sample but failures, and
 *   *empty* (skipped: neither breaks nor extends a run) when nothing completed in it;
 * - recovery: the start of the first of N consecutive good intervals after the last bad interval
 *   before the next step, minus t0 (right after a step latency is often still fine while the queue
 *   builds: those early good intervals are not a recovery); 0 when latency never degraded;
 * - SLO debt, over [t0, recovery) or [t0, next step) when not recovered: seconds of bad intervals
 *   against the SLO (an interval counts for its overlap with the span), and
 *   Σ max(0, p99 − baseline) × overlap in ms·s.
 */
import type { IntervalLatency } from './intervals.js';
import type { Figure } from './types.js';

export interface RecoveryInput {
  intervals: readonly IntervalLatency[];
  t0Ms: number;
  /** Start of the stage before t0: the baseline window is [preStartMs, t0Ms). */
  preStartMs: number;
  /** Recovery and debt stop at the next step (or the run's end). */
  nextStepMs: number;
  metric: string;
  sloMs: number | null;
  recoveryIntervals: number;
  baselineTolerancePct: number;
}

export interface RecoveryFigures {
  baselineP99Ms: Figure;
  recoveryS: Figure;
  recoveredMs?: number;
  sloViolationS: Figure;
  excessP99MsS: Figure;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

type Verdict = 'good' | 'bad' | 'empty';

function verdict(i: IntervalLatency, limitMs: number): Verdict {
  if (i.p99Ms !== null) return i.p99Ms <= limitMs ? 'good' : 'bad';
  return i.failed > 0 ? 'bad' : 'empty';
}

export function recoveryFigures(input: RecoveryInput): RecoveryFigures {
  const { intervals, t0Ms, nextStepMs, metric, sloMs } = input;
  const pre = intervals.filter((i) => i.startMs >= input.preStartMs && i.endMs <= t0Ms && i.p99Ms !== null).map((i) => i.p99Ms ?? 0);
  const baseline = pre.length > 0 ? round3(median(pre)) : null;
  const baselineP99Ms: Figure =
    baseline === null ? { value: null, reason: `no interval with a ${metric} sample in the stage before t0` } : { value: baseline };

  const limitMs = sloMs ?? (baseline === null ? null : baseline * (1 + input.baselineTolerancePct / 100));
  const after = intervals.filter((i) => i.endMs > t0Ms && i.startMs < nextStepMs);
  let recoveredMs: number | undefined;
  let recoveryS: Figure;
  if (limitMs === null) {
    recoveryS = { value: null, reason: `no SLO for ${metric} and no pre-step baseline to compare with` };
  } else {
    // Recovery is for good: the streak is looked for after the last bad interval before the next
    // step (right after a step, latency is often still fine while the queue builds).
    const lastBad = after.map((i) => verdict(i, limitMs)).lastIndexOf('bad');
    if (lastBad === -1) recoveredMs = t0Ms;
    let runStartMs: number | undefined;
    let good = 0;
    for (const i of lastBad === -1 ? [] : after.slice(lastBad + 1)) {
      const v = verdict(i, limitMs);
      if (v === 'empty') continue;
      if (v === 'bad') {
        good = 0;
        runStartMs = undefined;
        continue;
      }
      runStartMs ??= Math.max(i.startMs, t0Ms);
      if (++good >= input.recoveryIntervals) {
        recoveredMs = runStartMs;
        break;
      }
    }
    const against = sloMs !== null ? `the SLO (${sloMs} ms)` : `${input.baselineTolerancePct}% of the baseline (${round3(limitMs)} ms)`;
    recoveryS =
      recoveredMs === undefined
        ? { value: null, reason: `p99 ${metric} not within ${against} for ${input.recoveryIntervals} consecutive intervals before the next step or the run's end` }
        : { value: round3((recoveredMs - t0Ms) / 1000) };
  }

  const spanEndMs = recoveredMs ?? nextStepMs;
  const overlapS = (i: IntervalLatency): number => Math.max(0, Math.min(i.endMs, spanEndMs) - Math.max(i.startMs, t0Ms)) / 1000;
  const sloViolationS: Figure =
    sloMs === null
      ? { value: null, reason: `no slo.${metric}Ms in the profile` }
      : { value: round3(after.reduce((sum, i) => sum + (verdict(i, sloMs) === 'bad' ? overlapS(i) : 0), 0)) };
  const excessP99MsS: Figure =
    baseline === null
      ? { value: null, reason: baselineP99Ms.reason ?? 'no baseline' }
      : { value: round3(after.reduce((sum, i) => sum + (i.p99Ms === null ? 0 : Math.max(0, i.p99Ms - baseline) * overlapS(i)), 0)) };

  return { baselineP99Ms, recoveryS, ...(recoveredMs !== undefined && { recoveredMs }), sloViolationS, excessP99MsS };
}
