/**
 * Expansion of a profile into a Schedule: stages placed on the run's timeline, and arrivals produced
 * lazily. Pure and seeded: the same (profile, seed) gives the same schedule, and memory does not
 * grow with the request count (a generator yields one PlannedRequest at a time).
 *
 * Random streams, all derived from the profile's seed with deriveSeed:
 * - `arrivals/<stage>`: the arrival process of one stage, so stages do not shift each other;
 * - `request/<seq>`: the token lengths of open-loop request `seq`;
 * - `closed/<stage>/<n>`: the token lengths of the n-th request of a closed-loop stage.
 */
import { createRng, deriveSeed } from '../lib/random.js';
import { createTokenSampler, type TokenSampler } from '../workload/sampler.js';
import { arrivalPoints } from './arrivals.js';
import { planSegments } from './plan.js';
import type { Profile } from './schema.js';
import type { Segment } from './shapes.js';
import type { PlannedRequest, RequestSpec, Schedule, StagePlan } from './types.js';

/** Width of the window a trace stage's offered rate is counted over. */
const TRACE_RATE_WINDOW_MS = 1000;

interface PlacedSegment {
  plan: StagePlan;
  segment: Segment;
  /** Λ summed over earlier open rate stages: the uniform grid's phase at this stage's start. */
  phaseUnits: number;
}

/** The largest double below a positive `x`: arrivals stay inside [startMs, startMs + durationMs). */
function below(x: number): number {
  return x * (1 - Number.EPSILON);
}

/** Number of trace rows whose scaled offset is below `toMs` (offsets sorted: binary search). */
function traceRowsBefore(offsetsMs: Float64Array, speedup: number, toMs: number): number {
  let lo = 0;
  let hi = offsetsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((offsetsMs[mid] ?? 0) / speedup < toMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Send offsets of one open stage, ms from the run's start, non-decreasing, in [startMs, endMs).
 * Rate stages map each process point u to Λ⁻¹(u); trace stages shift and scale the file's times.
 */
function* stageOffsets(placed: PlacedSegment, seed: number): Generator<number> {
  const { plan, segment, phaseUnits } = placed;
  const { load } = segment;
  const endMs = plan.startMs + plan.durationMs;
  if (load.kind === 'trace') {
    const { offsetsMs } = load.trace;
    for (let k = 0; k < offsetsMs.length; k++) {
      const localMs = (offsetsMs[k] ?? 0) / load.speedup;
      if (localMs >= plan.durationMs) return;
      yield plan.startMs + localMs;
    }
    return;
  }
  if (load.kind !== 'rate') return;
  const rng = createRng(deriveSeed(seed, `arrivals/${plan.index}`));
  const lengthUnits = load.curve.integral(load.curve.durationS);
  const lastMs = below(endMs);
  let previousMs = plan.startMs;
  for (const u of arrivalPoints(load.arrivals, lengthUnits, phaseUnits, rng)) {
    // Λ⁻¹ is exact up to float rounding: clamp into the stage and keep the order.
    const offsetMs = Math.min(lastMs, Math.max(previousMs, plan.startMs + load.curve.inverse(u) * 1000));
    previousMs = offsetMs;
    yield offsetMs;
  }
}

/** Exact number of arrivals of an open stage: the process's point count (no inversion needed). */
function countArrivals(segment: Segment, phaseUnits: number, index: number, seed: number): number | undefined {
  const { load } = segment;
  if (load.kind === 'closed') return undefined;
  if (load.kind === 'trace') return traceRowsBefore(load.trace.offsetsMs, load.speedup, segment.durationMs);
  const rng = createRng(deriveSeed(seed, `arrivals/${index}`));
  let count = 0;
  for (const _ of arrivalPoints(load.arrivals, load.curve.integral(load.curve.durationS), phaseUnits, rng)) count++;
  return count;
}

function place(segments: Segment[], seed: number): PlacedSegment[] {
  let startMs = 0;
  let phaseUnits = 0;
  return segments.map((segment, index) => {
    const { load } = segment;
    const plan: StagePlan = {
      index,
      name: segment.name,
      startMs,
      durationMs: segment.durationMs,
      mode: load.kind === 'closed' ? 'closed' : 'open',
      description: segment.description,
    };
    if (load.kind === 'rate') {
      plan.startRateRps = load.startRateRps;
      plan.endRateRps = load.endRateRps;
    } else if (load.kind === 'trace') {
      // A trace has no nominal rate: show its mean over the stage.
      const meanRps = (traceRowsBefore(load.trace.offsetsMs, load.speedup, segment.durationMs) / segment.durationMs) * 1000;
      plan.startRateRps = meanRps;
      plan.endRateRps = meanRps;
    } else {
      plan.users = load.users;
    }
    plan.expectedRequests = countArrivals(segment, phaseUnits, index, seed);
    const placed = { plan, segment, phaseUnits };
    startMs += segment.durationMs;
    if (load.kind === 'rate') phaseUnits += load.curve.integral(load.curve.durationS);
    return placed;
  });
}

/** Offered rate of a placed stage at run offset `offsetMs` inside it. */
function stageRateAt(placed: PlacedSegment, offsetMs: number): number {
  const { load } = placed.segment;
  const localMs = offsetMs - placed.plan.startMs;
  if (load.kind === 'rate') return load.curve.rateAt(localMs / 1000);
  if (load.kind === 'closed') return 0;
  const half = TRACE_RATE_WINDOW_MS / 2;
  const rows =
    traceRowsBefore(load.trace.offsetsMs, load.speedup, Math.min(localMs + half, placed.plan.durationMs)) -
    traceRowsBefore(load.trace.offsetsMs, load.speedup, localMs - half);
  return (rows / TRACE_RATE_WINDOW_MS) * 1000;
}

function tokenSampler(profile: Profile): TokenSampler {
  const { workload } = profile;
  if (workload.kind === 'synthetic') return createTokenSampler(workload);
  const { dataset } = profile.source;
  if (dataset === undefined) throw new Error('the profile names a dataset that was not loaded (use loadProfile or parseProfile)');
  return createTokenSampler({ kind: 'dataset', dataset });
}

/**
 * Expands a validated profile into its Schedule (pure, seeded by `profile.seed`).
 * Counting each open stage's arrivals (for `expectedRequests`) runs its process once without
 * allocating: O(requests) time, O(1) memory.
 */
export function expandSchedule(profile: Profile): Schedule {
  const seed = profile.seed;
  const placed = place(planSegments(profile), seed);
  const sampleTokens = tokenSampler(profile);
  const durationMs = placed.reduce((sum, p) => sum + p.plan.durationMs, 0);

  function* arrivals(): Generator<PlannedRequest> {
    let seq = 0;
    for (const stage of placed) {
      const { load } = stage.segment;
      let row = 0;
      for (const offsetMs of stageOffsets(stage, seed)) {
        // Trace rows bring their own tokens, in the order their offsets are yielded.
        const spec: RequestSpec =
          load.kind === 'trace'
            ? { inputTokens: load.trace.inputTokens[row] ?? 1, outputTokens: load.trace.outputTokens[row] ?? 1 }
            : sampleTokens(deriveSeed(seed, `request/${seq}`));
        yield { seq, stage: stage.plan.index, offsetMs, ...spec };
        seq++;
        row++;
      }
    }
  }

  return {
    seed,
    durationMs,
    stages: placed.map((p) => p.plan),
    arrivals,
    rateAt(offsetMs) {
      // Last stage starting at or before offsetMs (stages are few: a linear scan is fine).
      let found: PlacedSegment | undefined;
      for (const p of placed) if (p.plan.startMs <= offsetMs) found = p;
      if (found === undefined || offsetMs >= durationMs) return 0;
      return stageRateAt(found, offsetMs);
    },
    closedLoopSpec(stage, n) {
      const plan = placed[stage]?.plan;
      if (plan?.mode !== 'closed') throw new RangeError(`stage ${stage} is not a closed-loop stage`);
      return sampleTokens(deriveSeed(seed, `closed/${stage}/${n}`));
    },
  };
}
