/**
 * The simulated CloudWatch metric store: datapoints per metric (namespace, name, dimension set),
 * each visible only from its delivery instant on, aggregated at query time over epoch-aligned
 * periods.
 *
 * Delivery: a datapoint received at `r` becomes visible at `r + lag + jitter`, with the lag and
 * the jitter bound chosen by its storage resolution (1 s "high resolution" or 60 s) and the
 * jitter drawn uniformly from a seeded stream. A publisher that emits each period's aggregate
 * when the period closes (the simulator does) thus makes the datapoint for [t, t + p) visible at
 * t + p + lag + jitter.
 *
 * Timestamps are kept at the storage resolution: high-resolution data at the second, standard
 * data at the minute. Retention: high-resolution data older than 3 hours is rolled up into
 * minutes (CloudWatch keeps sub-minute data 3 hours), after which sub-minute queries over that
 * span see minute datapoints. Longer retention steps (5-minute and hourly roll-ups) are left out.
 */
import type { Clock } from '../../lib/clock.js';
import { createRng, type Rng } from '../../lib/random.js';
import { aggregateValues, emptyAggregate, mergeInto, parseStatistic, statisticValue, type Aggregate, type Statistic } from './statistics.js';
import type { Dimension, MetricId } from './types.js';

export type StorageResolution = 1 | 60;

/** One datum as PutMetricData carries it: exactly one of value, values, statistics. */
export interface MetricDatum {
  metric: MetricId;
  timestampMs: number;
  value?: number;
  /** Raw values (with optional counts), kept as a histogram so percentiles work. */
  values?: readonly number[];
  counts?: readonly number[];
  statistics?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  /** CloudWatch's unit name; `None` when absent. */
  unit?: string;
  /** 1 for high resolution, 60 (default) for standard. */
  storageResolution?: StorageResolution;
}

/** Delay from receipt to visibility: `lagMs` plus a uniform draw in [0, `jitterMs`). */
export interface DeliveryTiming {
  lagMs: number;
  jitterMs: number;
}

export interface MetricStoreOptions {
  clock: Clock;
  highResolution: DeliveryTiming;
  standard: DeliveryTiming;
  seed: number;
  /** Sub-minute data older than this is rolled up to minutes. Default 3 hours. */
  highResolutionRetentionMs?: number;
}

/** A query over one metric: the statistic per period, periods aligned to the epoch. */
export interface MetricQuery {
  metric: MetricId;
  periodS: number;
  /** `Average`, `Maximum`, `p99`… or a parsed statistic. */
  stat: string | Statistic;
  /** Inclusive; rounded down to the period. */
  startMs: number;
  /** Exclusive. */
  endMs: number;
  unit?: string;
  /** Only data delivered at or before this instant is seen; defaults to now. */
  visibleAtMs?: number;
}

/** One period's result: its start and the statistic's value. */
export interface Datapoint {
  timestampMs: number;
  value: number;
  sampleCount: number;
}

interface Entry {
  tsMs: number;
  resolution: StorageResolution;
  unit: string;
  agg: Aggregate;
  deliveredAtMs: number;
}

interface Series {
  metric: MetricId;
  /** Sorted by tsMs; equal timestamps in arrival order. */
  entries: Entry[];
  firstDeliveredAtMs: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** The identity of a metric as a map key: dimensions are an unordered set. */
export function metricKey(m: MetricId): string {
  const dims = [...m.dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return `${m.namespace}\u0000${m.metricName}\u0000${dims.map((d) => `${d.Name}=${d.Value}`).join('\u0001')}`;
}

export class MetricStore {
  private readonly clock: Clock;
  private readonly series = new Map<string, Series>();
  private readonly jitter: Rng;
  private readonly retentionMs: number;
  private compactedUpToMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MetricStoreOptions) {
    this.clock = options.clock;
    this.jitter = createRng(options.seed);
    this.retentionMs = options.highResolutionRetentionMs ?? 3 * HOUR_MS;
  }

  /** Stores a datum received now; returns the instant it becomes visible. */
  put(datum: MetricDatum): { deliveredAtMs: number } {
    const nowMs = this.clock.nowMs();
    const resolution = datum.storageResolution ?? 60;
    const timing = resolution === 1 ? this.options.highResolution : this.options.standard;
    const deliveredAtMs = nowMs + timing.lagMs + Math.floor(this.jitter.next() * timing.jitterMs);
    const resolutionMs = resolution * 1000;
    const entry: Entry = {
      tsMs: Math.floor(datum.timestampMs / resolutionMs) * resolutionMs,
      resolution,
      unit: datum.unit ?? 'None',
      agg: datumAggregate(datum),
      deliveredAtMs,
    };
    const key = metricKey(datum.metric);
    let s = this.series.get(key);
    if (!s) {
      s = { metric: { ...datum.metric, dimensions: [...datum.metric.dimensions] }, entries: [], firstDeliveredAtMs: deliveredAtMs };
      this.series.set(key, s);
    }
    s.firstDeliveredAtMs = Math.min(s.firstDeliveredAtMs, deliveredAtMs);
    s.entries.splice(upperBound(s.entries, entry.tsMs), 0, entry);
    this.compact(nowMs);
    return { deliveredAtMs };
  }

  /** The statistic per period over [start, end), ascending; periods without visible data are absent. */
  query(q: MetricQuery): Datapoint[] {
    const stat = typeof q.stat === 'string' ? parseStatistic(q.stat) : q.stat;
    if (!stat) throw new RangeError(`unknown statistic ${String(q.stat)}`);
    const s = this.series.get(metricKey(q.metric));
    if (!s) return [];
    const periodMs = q.periodS * 1000;
    const startMs = Math.floor(q.startMs / periodMs) * periodMs;
    const visibleAtMs = q.visibleAtMs ?? this.clock.nowMs();
    const buckets = new Map<number, Aggregate>();
    for (let i = lowerBound(s.entries, startMs); i < s.entries.length; i++) {
      const e = s.entries[i] as Entry;
      if (e.tsMs >= q.endMs) break;
      if (e.deliveredAtMs > visibleAtMs || (q.unit !== undefined && e.unit !== q.unit)) continue;
      const bucketMs = Math.floor(e.tsMs / periodMs) * periodMs;
      let agg = buckets.get(bucketMs);
      if (!agg) {
        agg = emptyAggregate();
        buckets.set(bucketMs, agg);
      }
      mergeInto(agg, e.agg);
    }
    const out: Datapoint[] = [];
    for (const [timestampMs, agg] of buckets) {
      const value = statisticValue(agg, stat);
      if (value !== undefined) out.push({ timestampMs, value, sampleCount: agg.count });
    }
    return out.sort((a, b) => a.timestampMs - b.timestampMs);
  }

  /**
   * Metrics with visible data, filtered like ListMetrics: every filter dimension must be present,
   * with the given value when one is given.
   */
  listMetrics(filter: { namespace?: string; metricName?: string; dimensions?: readonly { Name: string; Value?: string }[] } = {}): MetricId[] {
    const nowMs = this.clock.nowMs();
    const out: MetricId[] = [];
    for (const s of this.series.values()) {
      const m = s.metric;
      if (s.firstDeliveredAtMs > nowMs) continue;
      if (filter.namespace !== undefined && m.namespace !== filter.namespace) continue;
      if (filter.metricName !== undefined && m.metricName !== filter.metricName) continue;
      if (filter.dimensions && !filter.dimensions.every((f) => hasDimension(m.dimensions, f))) continue;
      out.push(m);
    }
    return out;
  }

  /** Rolls high-resolution entries older than the retention into minute entries, once a minute. */
  private compact(nowMs: number): void {
    const cutoffMs = Math.floor((nowMs - this.retentionMs) / MINUTE_MS) * MINUTE_MS;
    if (cutoffMs <= this.compactedUpToMs) return;
    this.compactedUpToMs = cutoffMs;
    for (const s of this.series.values()) {
      const end = lowerBound(s.entries, cutoffMs);
      if (!s.entries.slice(0, end).some((e) => e.resolution === 1)) continue;
      const minutes = new Map<string, Entry>();
      for (const e of s.entries.slice(0, end)) {
        const tsMs = Math.floor(e.tsMs / MINUTE_MS) * MINUTE_MS;
        const k = `${tsMs}|${e.unit}`;
        const m = minutes.get(k);
        if (m) {
          mergeInto(m.agg, e.agg);
          m.deliveredAtMs = Math.max(m.deliveredAtMs, e.deliveredAtMs);
        } else {
          const agg = emptyAggregate();
          mergeInto(agg, e.agg);
          minutes.set(k, { tsMs, resolution: 60, unit: e.unit, agg, deliveredAtMs: e.deliveredAtMs });
        }
      }
      s.entries.splice(0, end, ...[...minutes.values()].sort((a, b) => a.tsMs - b.tsMs));
    }
  }
}

function hasDimension(dims: readonly Dimension[], f: { Name: string; Value?: string }): boolean {
  return dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value));
}

function datumAggregate(d: MetricDatum): Aggregate {
  if (d.statistics) {
    const s = d.statistics;
    return { count: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum };
  }
  if (d.values && d.values.length > 0) return aggregateValues(d.values, d.counts);
  return aggregateValues([d.value ?? 0]);
}

/** First index whose tsMs >= t. */
function lowerBound(entries: readonly Entry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as Entry).tsMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose tsMs > t. */
function upperBound(entries: readonly Entry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as Entry).tsMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
