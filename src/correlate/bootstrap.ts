/**
 * Uncertainty of a percentile difference between two runs: a bootstrap over intervals.
 *
 * A run's latency in a window is a set of interval histograms. One resample draws as many
 * intervals as the set holds, with replacement (seeded), merges them and takes the percentile.
 * Each of B resamples draws the two runs independently and records other − base; the central
 * (confidence)% of those differences is the interval. A difference is significant when its
 * interval excludes 0. Resampling whole intervals keeps the correlation inside an interval (a
 * queue builds up over seconds), which resampling single requests would ignore.
 *
 * Histograms are first reduced to their recorded values over one shared, sorted value index, so a
 * resample is additions into one counts array, not histogram merges.
 */
import type { Histogram } from 'hdr-histogram-js';
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import { rankAtPercentile, toSparse } from './histograms.js';

export interface BootstrapOptions {
  seed?: number;
  resamples?: number;
  confidencePct?: number;
}

export const DEFAULT_BOOTSTRAP = { seed: 1, resamples: 1000, confidencePct: 95 } as const;

export interface PercentileDiff {
  p: number;
  baseMs: number;
  otherMs: number;
  diffMs: number;
  /** Relative to base, %; null when base is 0. */
  diffPct: number | null;
  /** The bootstrap interval of diffMs. */
  ciLowMs: number;
  ciHighMs: number;
  significant: boolean;
}

interface Indexed {
  /** Per interval: indexes into the shared value list and their counts. */
  idx: Int32Array[];
  counts: Float64Array[];
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function index(sets: readonly (readonly Histogram[])[]): { valuesUs: Float64Array; sets: Indexed[] } {
  const sparse = sets.map((hs) => hs.filter((h) => h.totalCount > 0).map(toSparse));
  const all = new Set<number>();
  for (const set of sparse) for (const s of set) for (const v of s.valuesUs) all.add(v);
  const valuesUs = Float64Array.from([...all].sort((a, b) => a - b));
  const position = new Map<number, number>();
  valuesUs.forEach((v, i) => position.set(v, i));
  return {
    valuesUs,
    sets: sparse.map((set) => ({
      idx: set.map((s) => Int32Array.from(s.valuesUs, (v) => position.get(v) ?? 0)),
      counts: set.map((s) => s.counts),
    })),
  };
}

/** Percentiles (ascending `ps`) of the counts over valuesUs, in ms. */
function percentilesOf(acc: Float64Array, total: number, valuesUs: Float64Array, ps: readonly number[]): number[] {
  const out: number[] = [];
  let cumulative = 0;
  let i = 0;
  for (const p of ps) {
    const rank = rankAtPercentile(p, total);
    while (i < acc.length && cumulative + (acc[i] ?? 0) < rank) cumulative += acc[i++] ?? 0;
    out.push(round3((valuesUs[Math.min(i, acc.length - 1)] ?? 0) / 1000));
  }
  return out;
}

function accumulate(set: Indexed, picks: Iterable<number>, acc: Float64Array): number {
  acc.fill(0);
  let total = 0;
  for (const k of picks) {
    const idx = set.idx[k];
    const counts = set.counts[k];
    if (!idx || !counts) continue;
    for (let j = 0; j < idx.length; j++) {
      const c = counts[j] ?? 0;
      acc[idx[j] ?? 0] = (acc[idx[j] ?? 0] ?? 0) + c;
      total += c;
    }
  }
  return total;
}

function* draw(rng: Rng, n: number): Generator<number> {
  for (let k = 0; k < n; k++) yield Math.floor(rng.next() * n);
}

function* every(n: number): Generator<number> {
  for (let k = 0; k < n; k++) yield k;
}

/**
 * Differences other − base of each percentile with bootstrap intervals; undefined when either
 * side has no sample. `label` names the comparison so each gets its own random streams.
 */
export function bootstrapPercentileDiffs(
  base: readonly Histogram[],
  other: readonly Histogram[],
  percentiles: readonly number[],
  label: string,
  options: BootstrapOptions = {},
): PercentileDiff[] | undefined {
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed;
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const alpha = (100 - (options.confidencePct ?? DEFAULT_BOOTSTRAP.confidencePct)) / 100;
  const { valuesUs, sets } = index([base, other]);
  const [b, o] = sets;
  if (!b || !o || b.idx.length === 0 || o.idx.length === 0) return undefined;
  const ps = [...percentiles].sort((x, y) => x - y);
  const acc = new Float64Array(valuesUs.length);
  const point = (set: Indexed): number[] => percentilesOf(acc, accumulate(set, every(set.idx.length), acc), valuesUs, ps);
  const basePoint = point(b);
  const otherPoint = point(o);
  const rngBase = createRng(deriveSeed(seed, `${label}/base`));
  const rngOther = createRng(deriveSeed(seed, `${label}/other`));
  const diffs = ps.map(() => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    const pb = percentilesOf(acc, accumulate(b, draw(rngBase, b.idx.length), acc), valuesUs, ps);
    const po = percentilesOf(acc, accumulate(o, draw(rngOther, o.idx.length), acc), valuesUs, ps);
    ps.forEach((_, i) => {
      const d = diffs[i];
      if (d) d[r] = (po[i] ?? 0) - (pb[i] ?? 0);
    });
  }
  return ps.map((p, i) => {
    const d = (diffs[i] ?? new Float64Array(0)).sort();
    const lo = round3(d[Math.floor((alpha / 2) * (resamples - 1))] ?? 0);
    const hi = round3(d[Math.ceil((1 - alpha / 2) * (resamples - 1))] ?? 0);
    const baseMs = basePoint[i] ?? 0;
    const otherMs = otherPoint[i] ?? 0;
    return {
      p,
      baseMs,
      otherMs,
      diffMs: round3(otherMs - baseMs),
      diffPct: baseMs === 0 ? null : round3(((otherMs - baseMs) / baseMs) * 100),
      ciLowMs: lo,
      ciHighMs: hi,
      significant: lo > 0 || hi < 0,
    };
  });
}
