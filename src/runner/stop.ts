/**
 * Stop conditions evaluated as the run goes: max requests, max duration, and the error rate over
 * a sliding window of closed intervals.
 */
import type { TimelineRow } from '../record/recorder.js';

export type StopReason = 'completed' | 'max_requests' | 'max_duration' | 'error_rate' | 'interrupted';

export interface ErrorRateLimit {
  /** Abort when errors / completed over the window exceeds this fraction. */
  rate: number;
  windowS: number;
  /** Do not judge a window holding fewer completed requests than this. */
  minRequests: number;
}

/** Sliding-window error rate over timeline rows; `push` returns a message when the limit is passed. */
export class ErrorRateWatch {
  private rows: { endMs: number; completed: number; failed: number }[] = [];

  constructor(private readonly limit: ErrorRateLimit) {}

  push(row: TimelineRow): string | undefined {
    const endMs = row.tMs + row.intervalMs;
    this.rows.push({ endMs, completed: row.completed, failed: row.errors + row.timeouts });
    this.rows = this.rows.filter((r) => r.endMs > endMs - this.limit.windowS * 1000);
    let completed = 0;
    let failed = 0;
    for (const r of this.rows) {
      completed += r.completed;
      failed += r.failed;
    }
    if (completed < this.limit.minRequests || completed === 0) return undefined;
    const rate = failed / completed;
    if (rate <= this.limit.rate) return undefined;
    return `error rate ${(rate * 100).toFixed(1)}% over the last ${this.limit.windowS} s (${failed} of ${completed}) passed the limit of ${(this.limit.rate * 100).toFixed(1)}%`;
  }
}
