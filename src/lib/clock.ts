/**
 * The only module that reads time (DESIGN invariant 3). Everything else takes a Clock,
 * so tests and `scalelab simulate` can run in virtual time.
 *
 * Times are epoch milliseconds as floats (sub-millisecond precision on the real clock).
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  nowMs(): number;
  /** Resolves at or just after `tMs`; rejects with an AbortError if `signal` aborts first. */
  sleepUntil(tMs: number, signal?: AbortSignal): Promise<void>;
}

/** Wakes the timer this much early, then yields with setImmediate until the instant: timers alone are ~1 ms coarse. */
const SPIN_WINDOW_MS = 1.5;

/**
 * Epoch ms at performance.now() = 0, to a few microseconds. `performance.timeOrigin` can be off by
 * up to a millisecond (it derives from a millisecond wall clock), which is enough to make two
 * processes disagree about the order of a send and its receipt. Calibrated once per process by
 * waiting for Date.now() to tick over: at that instant the wall clock is exactly on a millisecond.
 */
let epochOffsetMs: number | undefined;

function epochOffset(): number {
  if (epochOffsetMs !== undefined) return epochOffsetMs;
  const start = Date.now();
  let now = start;
  let perf = performance.now();
  while (now === start) {
    perf = performance.now();
    now = Date.now();
  }
  epochOffsetMs = now - perf;
  return epochOffsetMs;
}

export class RealClock implements Clock {
  private readonly offsetMs = epochOffset();

  nowMs(): number {
    return this.offsetMs + performance.now();
  }

  async sleepUntil(tMs: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const coarseMs = tMs - this.nowMs() - SPIN_WINDOW_MS;
    if (coarseMs > 0) await delay(coarseMs, undefined, { signal });
    while (this.nowMs() < tMs) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

interface Sleeper {
  atMs: number;
  order: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `advanceTo` wakes sleepers in time order and lets each
 * one's continuation run (microtasks) before moving on, so a discrete-event simulation driven by
 * it sees events in the order they were scheduled.
 */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private order = 0;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  nowMs(): number {
    return this.current;
  }

  sleepUntil(tMs: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (tMs <= this.current) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = { atMs: tMs, order: this.order++, resolve };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** The earliest pending wake-up, or undefined when nobody sleeps. */
  nextWakeMs(): number | undefined {
    let next: number | undefined;
    for (const s of this.sleepers) if (next === undefined || s.atMs < next) next = s.atMs;
    return next;
  }

  /** Moves time forward to `tMs`, waking every sleeper due on the way, in order. */
  async advanceTo(tMs: number): Promise<void> {
    for (;;) {
      // Let pending work register its sleepers before choosing the earliest one: time never jumps past them.
      await flushMicrotasks();
      const due = this.sleepers
        .filter((s) => s.atMs <= tMs)
        .sort((a, b) => a.atMs - b.atMs || a.order - b.order)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.current = Math.max(this.current, due.atMs);
      due.resolve();
    }
    this.current = Math.max(this.current, tMs);
    await flushMicrotasks();
  }

  async advanceBy(dMs: number): Promise<void> {
    await this.advanceTo(this.current + dMs);
  }

  /** Runs until no sleeper is left or `limitMs` is reached. */
  async runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    for (let next = this.nextWakeMs(); next !== undefined && next <= limitMs; next = this.nextWakeMs()) {
      await this.advanceTo(next);
    }
  }
}

async function flushMicrotasks(): Promise<void> {
  // A few macrotask turns let promise chains several levels deep settle before time moves again.
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
