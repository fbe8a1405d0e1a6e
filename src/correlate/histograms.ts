/**
 * Reading latency.hlog histograms: per-interval percentiles, merges, and a sparse form of a
 * histogram (its recorded values and counts) for resampling. Values in the log are µs; what leaves
 * this module is ms.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { HlogInterval } from '../record/hlog.js';
import { newHistogram } from '../record/histograms.js';

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The p-th percentile in ms, as summary.json computes it (HDR, capped at the max); undefined if empty. */
export function percentileMs(h: Histogram, p: number): number | undefined {
  if (h.totalCount === 0) return undefined;
  return round3(Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000);
}

/** The log's intervals with exactly this tag (`ttft`, or `ttft.stage1`), in time order. */
export function intervalsTagged(hlog: readonly HlogInterval[], tag: string): HlogInterval[] {
  return hlog.filter((i) => i.tag === tag).sort((a, b) => a.startMs - b.startMs);
}

/** One histogram holding all of `hs` (HDR histograms add losslessly). */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const out = newHistogram();
  for (const h of hs) if (h.totalCount > 0) out.add(h);
  return out;
}

/** A histogram as its recorded values (each bucket's highest equivalent value, µs) and counts. */
export interface SparseHistogram {
  valuesUs: Float64Array;
  counts: Float64Array;
  total: number;
}

function asJs(h: Histogram): hdr.JsHistogram {
  if (!(h instanceof hdr.JsHistogram)) throw new TypeError('correlate/ needs JS histograms (not WebAssembly ones)');
  return h;
}

export function toSparse(histogram: Histogram): SparseHistogram {
  const h = asJs(histogram);
  const values: number[] = [];
  const counts: number[] = [];
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    values.push(v.valueIteratedTo);
    counts.push(v.countAddedInThisIterationStep);
  }
  return { valuesUs: Float64Array.from(values), counts: Float64Array.from(counts), total: h.totalCount };
}

/**
 * The rank HDR's getValueAtPercentile walks to: ceil(p% of total), at least 1 (the ulp guard
 * keeps float error from skipping a count).
 */
export function rankAtPercentile(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  return Math.max(Math.ceil(fp - Math.abs(fp) * Number.EPSILON * 2), 1);
}

/** Count of recorded values above `limitUs` (bucket by bucket; a bucket holding the limit counts as within). */
export function countAboveUs(histogram: Histogram, limitUs: number): number {
  const h = asJs(histogram);
  const s = toSparse(h);
  let n = 0;
  for (let i = 0; i < s.valuesUs.length; i++) {
    if (h.lowestEquivalentValue(s.valuesUs[i] ?? 0) > limitUs) n += s.counts[i] ?? 0;
  }
  return n;
}
