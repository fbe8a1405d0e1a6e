/**
 * CloudWatch statistics over aggregated datapoints (pure): the five basic statistics and
 * percentiles (`p99`, `p99.9`, `p50`…). A datapoint holds a statistic set (count, sum, min, max)
 * and, when raw values were published, an HDR histogram of them (bounded memory, 3 significant
 * digits), which percentiles need.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type BasicStatistic = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';
export const BASIC_STATISTICS: readonly BasicStatistic[] = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

/** A parsed statistic: one of the basic five, or a percentile in (0, 100]. */
export type Statistic = { kind: 'basic'; name: BasicStatistic } | { kind: 'percentile'; percentile: number; name: string };

const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100)$/;

/** Parses `Average`, `p99`, `p99.9`…; undefined when CloudWatch would not accept the name. */
export function parseStatistic(name: string): Statistic | undefined {
  if ((BASIC_STATISTICS as readonly string[]).includes(name)) return { kind: 'basic', name: name as BasicStatistic };
  const m = PERCENTILE.exec(name);
  if (!m) return undefined;
  const percentile = Number(m[1]);
  if (!(percentile > 0 && percentile <= 100)) return undefined;
  return { kind: 'percentile', percentile, name };
}

/** Raw values are recorded as integers of this many units per 1 (so 0.001 resolution). */
const VALUE_SCALE = 1000;

/** A statistic set, plus the raw values' histogram when there were raw values. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  histogram?: Histogram;
}

function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 'packed', autoResize: true, numberOfSignificantValueDigits: 3 });
}

/** An aggregate of raw values (each with an optional count, as PutMetricData's Values/Counts). */
export function aggregateValues(values: readonly number[], counts?: readonly number[]): Aggregate {
  const agg: Aggregate = { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  const histogram = values.every((v) => v >= 0) ? newHistogram() : undefined;
  values.forEach((v, i) => {
    const c = counts?.[i] ?? 1;
    agg.count += c;
    agg.sum += v * c;
    agg.min = Math.min(agg.min, v);
    agg.max = Math.max(agg.max, v);
    histogram?.recordValueWithCount(Math.round(v * VALUE_SCALE), c);
  });
  if (histogram) agg.histogram = histogram;
  return agg;
}

/**
 * Adds `b` into `a` (mutating `a`). The sum keeps a histogram only when both sides have one, or
 * when a side without one is a set of identical values (min = max), which a histogram can hold.
 */
export function mergeInto(a: Aggregate, b: Aggregate): void {
  if (b.count === 0) return;
  if (a.count === 0) {
    const bH = b.histogram ?? constantHistogram(b);
    Object.assign(a, { count: b.count, sum: b.sum, min: b.min, max: b.max });
    if (bH && b.min === b.max && !b.histogram) a.histogram = bH;
    else if (bH) a.histogram = copyHistogram(bH);
    else delete a.histogram;
    return;
  }
  const aH = a.histogram ?? constantHistogram(a);
  const bH = b.histogram ?? constantHistogram(b);
  if (aH && bH) {
    aH.add(bH);
    a.histogram = aH;
  } else {
    delete a.histogram;
  }
  a.count += b.count;
  a.sum += b.sum;
  a.min = Math.min(a.min, b.min);
  a.max = Math.max(a.max, b.max);
}

function copyHistogram(h: Histogram): Histogram {
  const copy = newHistogram();
  copy.add(h);
  return copy;
}

function constantHistogram(agg: Aggregate): Histogram | undefined {
  if (agg.count === 0 || agg.min !== agg.max || agg.min < 0) return undefined;
  const h = newHistogram();
  h.recordValueWithCount(Math.round(agg.min * VALUE_SCALE), agg.count);
  return h;
}

/** An empty aggregate to merge into. */
export function emptyAggregate(): Aggregate {
  return { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
}

/**
 * The statistic's value, or undefined when it cannot be computed (no samples, or a percentile
 * of statistic sets without raw values). Percentiles are capped to [min, max]: HDR reports a
 * bucket's highest equivalent value.
 */
export function statisticValue(agg: Aggregate, stat: Statistic): number | undefined {
  if (agg.count === 0) return undefined;
  if (stat.kind === 'basic') {
    switch (stat.name) {
      case 'SampleCount':
        return agg.count;
      case 'Sum':
        return agg.sum;
      case 'Average':
        return agg.sum / agg.count;
      case 'Minimum':
        return agg.min;
      case 'Maximum':
        return agg.max;
    }
  }
  if (agg.min === agg.max) return agg.min;
  const h = agg.histogram;
  if (!h) return undefined;
  const v = h.getValueAtPercentile(stat.percentile) / VALUE_SCALE;
  return Math.min(agg.max, Math.max(agg.min, v));
}
