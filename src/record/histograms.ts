/**
 * The latency metrics a run records, as one HDR histogram each (values in microseconds, 3
 * significant digits: a recorded value is within 0.1% of the true one).
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const METRICS = ['e2e', 'ttft', 'itl', 'tpot', 'lag'] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_TITLES: Record<Metric, string> = {
  e2e: 'end-to-end',
  ttft: 'time to first token',
  itl: 'inter-token latency',
  tpot: 'time per output token',
  lag: 'schedule lag',
};

export const SIGNIFICANT_DIGITS = 3;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
  });
}

export type MetricHistograms = Record<Metric, Histogram>;

export function newMetricHistograms(): MetricHistograms {
  return { e2e: newHistogram(), ttft: newHistogram(), itl: newHistogram(), tpot: newHistogram(), lag: newHistogram() };
}

/** Milliseconds → the integer microseconds a histogram records (negative clamps to 0). */
export function msToUs(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000);
}

export const PERCENTILES = [50, 90, 95, 99, 99.9] as const;

export interface LatencyStats {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Percentiles of a microsecond histogram, in ms; undefined when it holds nothing. */
export function latencyStats(h: Histogram): LatencyStats | undefined {
  if (h.totalCount === 0) return undefined;
  // HDR reports a bucket's highest equivalent value, which can exceed the recorded max: cap it there.
  const at = (p: number): number => round3(Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000);
  return {
    count: h.totalCount,
    minMs: round3(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue / 1000),
    meanMs: round3(h.mean / 1000),
    p50Ms: at(50),
    p90Ms: at(90),
    p95Ms: at(95),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: round3(h.maxValue / 1000),
  };
}

/**
 * p50 and p99 in ms for the timeline, cheap enough for the hot path: hdr-histogram-js computes
 * `mean` by iterating every bucket (~5 ms), so interval rows leave it out.
 */
export function intervalPercentiles(h: Histogram): { p50Ms: number; p99Ms: number } | undefined {
  if (h.totalCount === 0) return undefined;
  const at = (p: number): number => round3(Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000);
  return { p50Ms: at(50), p99Ms: at(99) };
}
