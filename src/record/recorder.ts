/**
 * Turns request readings into HDR histograms per interval, per stage and overall, plus counters.
 * Memory does not grow with the number of requests (DESIGN invariant 2): histograms and counters
 * only; raw results stream to disk.
 *
 * Latency is bucketed into the interval in which it was recorded (a request's end for e2e/ttft/tpot,
 * each token's arrival for itl, the send for lag), the convention of HdrHistogram interval logs.
 * Only successful requests record e2e/ttft/tpot; failures are counted by kind, dropped requests
 * are counted and shown, and the lag of every sent request is recorded.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { ErrorKind } from '../targets/types.js';
import type { StagePlan } from '../profile/types.js';
import type { Outcome, RequestResult } from './types.js';
import { HlogWriter } from './hlog.js';
import { METRICS, intervalPercentiles, latencyStats, msToUs, newMetricHistograms, type LatencyStats, type Metric, type MetricHistograms } from './histograms.js';

export interface Counts {
  /** Arrivals the scheduler handled (sent or dropped). */
  scheduled: number;
  sent: number;
  ok: number;
  errors: number;
  timeouts: number;
  cancelled: number;
  dropped: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  inputTokens: number;
  outputTokens: number;
  /** Requests whose output count came from the server's usage field vs from counting token events. */
  tokensFromUsage: number;
  tokensFromEvents: number;
}

function newCounts(): Counts {
  return {
    scheduled: 0, sent: 0, ok: 0, errors: 0, timeouts: 0, cancelled: 0, dropped: 0,
    errorsByKind: {}, inputTokens: 0, outputTokens: 0, tokensFromUsage: 0, tokensFromEvents: 0,
  };
}

/** Requests that ended, whatever the outcome, except drops (never sent). */
export function completedOf(c: Counts): number {
  return c.ok + c.errors + c.timeouts + c.cancelled;
}

interface Bucket {
  counts: Counts;
  histograms: MetricHistograms;
}

const newBucket = (): Bucket => ({ counts: newCounts(), histograms: newMetricHistograms() });

export interface TimelineRow {
  /** Interval start, epoch ms, and seconds since the run's start. */
  tMs: number;
  offsetS: number;
  intervalMs: number;
  offeredRps: number;
  scheduled: number;
  sent: number;
  completed: number;
  ok: number;
  inFlight: number;
  dropped: number;
  timeouts: number;
  errors: number;
  errorsByKind: Partial<Record<ErrorKind, number>>;
  outputTokens: number;
  outputTokensPerS: number;
  ttftP50Ms?: number;
  ttftP99Ms?: number;
  e2eP50Ms?: number;
  e2eP99Ms?: number;
}

export interface RecorderSinks {
  hlog?: (text: string) => void;
  timeline?: (text: string) => void;
  results?: (text: string) => void;
  /** Buffered sinks go to disk: called when an interval is fully written. */
  flush?: () => void;
}

export interface RecorderOptions {
  runStartMs: number;
  intervalMs: number;
  stages: StagePlan[];
  /** Offered rate at an offset from the start (the schedule's plan). */
  rateAt: (offsetMs: number) => number;
  sinks: RecorderSinks;
  /** Called with each closed interval (progress line, stop conditions). */
  onInterval?: (row: TimelineRow) => void;
}

export class Recorder {
  private interval: Bucket = newBucket();
  /** A closed interval's histograms go here while they are encoded, a slice per turn of the event loop. */
  private spare: MetricHistograms | undefined = newMetricHistograms();
  private encoding: Promise<void> = Promise.resolve();
  private pending: EncodeJob | undefined;
  private intervalStartMs: number;
  private readonly stageBuckets: Bucket[];
  private readonly total: Bucket = newBucket();
  private readonly hlog?: HlogWriter;
  private lastRow?: TimelineRow;

  constructor(private readonly opts: RecorderOptions) {
    this.intervalStartMs = opts.runStartMs;
    this.stageBuckets = opts.stages.map(() => newBucket());
    if (opts.sinks.hlog) {
      this.hlog = new HlogWriter(opts.sinks.hlog, opts.runStartMs);
      this.hlog.writeHeader('scalelab latency log: values in microseconds, tags e2e ttft itl tpot lag');
    }
  }

  private buckets(stage: number): Bucket[] {
    const s = this.stageBuckets[stage];
    return s ? [this.interval, s, this.total] : [this.interval, this.total];
  }

  private count(stage: number, f: (c: Counts) => void): void {
    for (const b of this.buckets(stage)) f(b.counts);
  }

  private recordUs(stage: number, metric: Metric, valueUs: number, n = 1): void {
    for (const b of this.buckets(stage)) b.histograms[metric].recordValueWithCount(valueUs, n);
  }

  /** A request left for the target at `sentMs`, planned for `intendedMs`. */
  sent(stage: number, intendedMs: number, sentMs: number): void {
    this.count(stage, (c) => {
      c.scheduled++;
      c.sent++;
    });
    this.recordUs(stage, 'lag', msToUs(sentMs - intendedMs));
  }

  /** `count` tokens arrived together `gapMs` after the previous ones: each gets gapMs / count. */
  interToken(stage: number, gapMs: number, count: number): void {
    if (count > 0) this.recordUs(stage, 'itl', msToUs(gapMs / count), count);
  }

  /** A request ended (any outcome, including dropped). */
  result(r: RequestResult): void {
    const outcomeField: Record<Outcome, keyof Counts> = {
      ok: 'ok', error: 'errors', timeout: 'timeouts', cancelled: 'cancelled', dropped: 'dropped',
    };
    const field = outcomeField[r.outcome];
    this.count(r.stage, (c) => {
      (c[field] as number)++;
      if (r.outcome === 'dropped') c.scheduled++;
      // Failures by kind; drops and cancellations have their own counters.
      if (r.error && (r.outcome === 'error' || r.outcome === 'timeout')) c.errorsByKind[r.error.kind] = (c.errorsByKind[r.error.kind] ?? 0) + 1;
      if (r.outcome !== 'dropped') c.inputTokens += r.inputTokens;
      c.outputTokens += r.outputTokens;
      if (r.tokenSource === 'usage') c.tokensFromUsage++;
      else if (r.tokenSource === 'events') c.tokensFromEvents++;
    });
    if (r.outcome === 'ok') {
      this.recordUs(r.stage, 'e2e', msToUs(r.endMs - r.intendedMs));
      if (r.firstTokenMs !== undefined) this.recordUs(r.stage, 'ttft', msToUs(r.firstTokenMs - r.intendedMs));
      if (r.firstTokenMs !== undefined && r.lastTokenMs !== undefined && r.outputTokens > 1) {
        this.recordUs(r.stage, 'tpot', msToUs((r.lastTokenMs - r.firstTokenMs) / (r.outputTokens - 1)));
      }
    }
    this.opts.sinks.results?.(JSON.stringify(r) + '\n');
  }

  /** Closes every interval that ended at or before `nowMs`; `inFlight` is the gauge at that instant. */
  tick(nowMs: number, inFlight: number): void {
    while (nowMs >= this.intervalStartMs + this.opts.intervalMs) {
      this.closeInterval(this.intervalStartMs + this.opts.intervalMs, inFlight);
    }
  }

  /** Closes the last, partial interval. */
  async finish(nowMs: number, inFlight: number): Promise<void> {
    this.tick(nowMs, inFlight);
    if (nowMs > this.intervalStartMs) this.closeInterval(nowMs, inFlight);
    await this.flushed();
    for (const [i, stage] of this.opts.stages.entries()) {
      const bucket = this.stageBuckets[i];
      if (!bucket) continue;
      const startMs = this.opts.runStartMs + stage.startMs;
      for (const m of METRICS) this.hlog?.writeInterval(`${m}.stage${i}`, bucket.histograms[m], startMs, startMs + stage.durationMs);
    }
  }

  private closeInterval(endMs: number, inFlight: number): void {
    const { counts, histograms } = this.interval;
    const startMs = this.intervalStartMs;
    const lengthMs = endMs - startMs;
    const ttft = intervalPercentiles(histograms.ttft);
    const e2e = intervalPercentiles(histograms.e2e);
    const row: TimelineRow = {
      tMs: startMs,
      offsetS: (startMs - this.opts.runStartMs) / 1000,
      intervalMs: lengthMs,
      offeredRps: this.opts.rateAt(startMs - this.opts.runStartMs + lengthMs / 2),
      scheduled: counts.scheduled,
      sent: counts.sent,
      completed: completedOf(counts),
      ok: counts.ok,
      inFlight,
      dropped: counts.dropped,
      timeouts: counts.timeouts,
      errors: counts.errors,
      errorsByKind: counts.errorsByKind,
      outputTokens: counts.outputTokens,
      outputTokensPerS: lengthMs > 0 ? (counts.outputTokens * 1000) / lengthMs : 0,
      ...(ttft && { ttftP50Ms: ttft.p50Ms, ttftP99Ms: ttft.p99Ms }),
      ...(e2e && { e2eP50Ms: e2e.p50Ms, e2eP99Ms: e2e.p99Ms }),
    };
    this.opts.sinks.timeline?.(JSON.stringify(row) + '\n');
    this.lastRow = row;
    this.opts.onInterval?.(row);
    // Intervals closing faster than they are encoded (virtual time) must not pile up histograms:
    // the previous interval's remaining metrics are written now, and its histograms reused.
    this.pending?.finish();
    this.interval = { counts: newCounts(), histograms: this.spare ?? newMetricHistograms() };
    this.spare = undefined;
    this.intervalStartMs = endMs;
    const job = new EncodeJob(histograms, (m) => this.hlog?.writeInterval(m, histograms[m], startMs, endMs), () => {
      this.spare = histograms;
      if (this.pending === job) this.pending = undefined;
      this.opts.sinks.flush?.();
    });
    this.pending = job;
    this.encoding = job.runSpread();
  }

  /** Resolves when every closed interval is in the log. */
  flushed(): Promise<void> {
    return this.encoding;
  }

  lastInterval(): TimelineRow | undefined {
    return this.lastRow;
  }

  totals(): Counts {
    return this.total.counts;
  }

  /** Counters and percentiles, overall and per stage. */
  snapshot(): { total: BucketStats; stages: BucketStats[] } {
    return { total: bucketStats(this.total), stages: this.stageBuckets.map(bucketStats) };
  }

  /** The cumulative histogram of one metric (overall), for tests and reports. */
  histogram(metric: Metric, stage?: number): Histogram {
    const b = stage === undefined ? this.total : this.stageBuckets[stage];
    if (!b) throw new RangeError(`no stage ${stage}`);
    return b.histograms[metric];
  }
}

export interface BucketStats {
  counts: Counts;
  metrics: Partial<Record<Metric, LatencyStats>>;
}

function bucketStats(b: Bucket): BucketStats {
  const metrics: Partial<Record<Metric, LatencyStats>> = {};
  for (const m of METRICS) {
    const s = latencyStats(b.histograms[m]);
    if (s) metrics[m] = s;
  }
  return { counts: { ...b.counts, errorsByKind: { ...b.counts.errorsByKind } }, metrics };
}

/**
 * Writes a closed interval's histograms to the log one metric per event-loop turn (encoding one
 * takes ~0.4 ms), so a request due meanwhile is not held up by the whole batch; `finish` writes
 * whatever is left at once.
 */
class EncodeJob {
  private next = 0;
  private done = false;

  constructor(
    private readonly histograms: MetricHistograms,
    private readonly write: (m: Metric) => void,
    private readonly onDone: () => void,
  ) {}

  private step(): void {
    const m = METRICS[this.next++];
    if (m === undefined) return;
    this.write(m);
    this.histograms[m].reset();
  }

  finish(): void {
    if (this.done) return;
    while (this.next < METRICS.length) this.step();
    this.done = true;
    this.onDone();
  }

  async runSpread(): Promise<void> {
    while (!this.done && this.next < METRICS.length) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.done) this.step();
    }
    this.finish();
  }
}
