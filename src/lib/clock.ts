/**
 * The only module that reads time (DESIGN invariant 3). Everything else takes a Clock,
 * so tests and `scalelab simulate` can run in virtual time.
 *
 * Times are epoch milliseconds as floats (sub-millisecond precision on the real clock).
 */

export interface Clock {
  nowMs(): number;
  /** Resolves at or just after `tMs`; rejects with an AbortError if `signal` aborts first. */
  sleepUntil(tMs: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` at or just after `tMs`; returns a function that cancels it. For event-driven code
   * (the simulator's model and control plane): in virtual time a callback costs a heap operation,
   * where a promise sleep costs turns of the event loop. `fn` must do its work synchronously; if
   * it resolves a promise that someone awaits, it calls `settleSoon()`.
   */
  setTimer(tMs: number, fn: () => void): () => void;
  /**
   * A hint from a timer callback that it set off asynchronous work (it resolved a promise someone
   * awaits): in virtual time, let that work run before time moves on. A no-op in real time.
   */
  settleSoon?(): void;
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
  // A few tick edges; the reading with the tightest performance.now() bracket around the edge
  // wins (a preemption between the two reads would otherwise skew the offset).
  let best = { gapMs: Number.POSITIVE_INFINITY, offsetMs: Date.now() - performance.now() };
  for (let i = 0; i < 4; i++) {
    const start = Date.now();
    let before = performance.now();
    let now = Date.now();
    while (now === start) {
      before = performance.now();
      now = Date.now();
    }
    const after = performance.now();
    if (after - before < best.gapMs) best = { gapMs: after - before, offsetMs: now - (before + after) / 2 };
  }
  epochOffsetMs = best.offsetMs;
  return epochOffsetMs;
}

export class RealClock implements Clock {
  private readonly offsetMs = epochOffset();

  nowMs(): number {
    return this.offsetMs + performance.now();
  }

  sleepUntil(tMs: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.nowMs() >= tMs) return Promise.resolve();
    // One promise per sleep; the spin below it allocates no promise per turn.
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      const cancel = this.setTimer(tMs, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimer(tMs: number, fn: () => void): () => void {
    let cancelled = false;
    let handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
    const spin = (): void => {
      if (cancelled) return;
      if (this.nowMs() >= tMs) fn();
      else handle = setImmediate(spin);
    };
    const coarseMs = tMs - this.nowMs() - SPIN_WINDOW_MS;
    handle = coarseMs > 0 ? setTimeout(spin, coarseMs) : setImmediate(spin);
    return () => {
      cancelled = true;
      if (handle !== undefined) {
        clearTimeout(handle as NodeJS.Timeout);
        clearImmediate(handle as NodeJS.Immediate);
      }
    };
  }
}

interface Entry {
  atMs: number;
  order: number;
  /** A promise sleeper's resolve, or a timer's callback. */
  run: () => void;
  kind: 'sleep' | 'timer';
  cancelled: boolean;
}

/** Binary min-heap on (atMs, order): ties wake in the order they were scheduled. */
class EntryHeap {
  private readonly items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i] as Entry, a[parent] as Entry)) break;
      [a[i], a[parent]] = [a[parent] as Entry, a[i] as Entry];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l] as Entry, a[m] as Entry)) m = l;
        if (r < a.length && before(a[r] as Entry, a[m] as Entry)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Entry, a[i] as Entry];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Entry, y: Entry): boolean => x.atMs < y.atMs || (x.atMs === y.atMs && x.order < y.order);

/**
 * A clock that only moves when told to. `advanceTo` runs what is due in time order. After a woken
 * sleeper, or a timer callback that called `settleSoon()`, the event loop gets full turns so the
 * continuations schedule their next wake-ups before time moves; other timer callbacks (synchronous
 * by contract) run back to back, which is what keeps a virtual hour of token events within seconds.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly heap = new EntryHeap();
  private order = 0;
  private live = 0;
  private settleRequested = false;
  private timersSinceFlush = 0;

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
      const onAbort = (): void => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.live--;
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      };
      const entry = this.add(tMs, 'sleep', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  settleSoon(): void {
    this.settleRequested = true;
  }

  setTimer(tMs: number, fn: () => void): () => void {
    const entry = this.add(Math.max(tMs, this.current), 'timer', fn);
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.live--;
    };
  }

  private add(atMs: number, kind: Entry['kind'], run: () => void): Entry {
    const entry: Entry = { atMs, order: this.order++, run, kind, cancelled: false };
    this.heap.push(entry);
    this.live++;
    return entry;
  }

  private peekLive(): Entry | undefined {
    for (let e = this.heap.peek(); e; e = this.heap.peek()) {
      if (!e.cancelled) return e;
      this.heap.pop();
    }
    return undefined;
  }

  /** The earliest pending wake-up, or undefined when nothing is scheduled. */
  nextWakeMs(): number | undefined {
    return this.peekLive()?.atMs;
  }

  /** Pending sleepers and timers. */
  get pending(): number {
    return this.live;
  }

  /** Moves time forward to `tMs`, running everything due on the way, in order. */
  async advanceTo(tMs: number): Promise<void> {
    // Let pending work register its wake-ups before choosing the earliest one.
    await flushEventLoop();
    for (let next = this.peekLive(); next && next.atMs <= tMs; next = this.peekLive()) {
      this.heap.pop();
      next.cancelled = true;
      this.live--;
      this.current = Math.max(this.current, next.atMs);
      next.run();
      if (next.kind === 'sleep' || this.settleRequested || ++this.timersSinceFlush >= TIMERS_PER_FLUSH) {
        this.settleRequested = false;
        this.timersSinceFlush = 0;
        await flushEventLoop();
      }
    }
    this.current = Math.max(this.current, tMs);
    await flushEventLoop();
  }

  async advanceBy(dMs: number): Promise<void> {
    await this.advanceTo(this.current + dMs);
  }

  /** Runs until nothing is scheduled or `limitMs` is reached. */
  async runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    for (let next = this.nextWakeMs(); next !== undefined && next <= limitMs; next = this.nextWakeMs()) {
      await this.advanceTo(next);
    }
  }
}

/** A few macrotask turns: promise chains several levels deep settle, and I/O callbacks run. */
async function flushEventLoop(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Timer callbacks run back to back; now and then the event loop gets a turn for I/O. */
const TIMERS_PER_FLUSH = 4096;
