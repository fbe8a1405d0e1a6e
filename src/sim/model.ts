/**
 * The serving model: a discrete-event state machine on a Clock, with no sockets. The HTTP layer
 * (server.ts) and, later, the SageMaker protocol and the autoscaler drive it through `submit`.
 *
 * Shape: `copies` copies × `batchSlots` slots each, continuous batching, a FIFO queue per copy.
 *
 * - Routing: an arriving request goes to the copy with the fewest outstanding requests (active +
 *   queued); ties go to the lowest copy index. It stays on that copy (SageMaker routes to a copy, and
 *   the container queues).
 * - Admission: when the copy has a free slot, at once; otherwise it joins the copy's queue (rejected
 *   with `queue_full` when `maxQueue` is set and reached) and is admitted, FIFO, at the instant a slot
 *   frees.
 * - Prefill: the first token comes out at admittedMs + prefillMs(inputTokens) (timing.ts).
 *   Simplification: prefills run beside decoding rather than pausing it; a prefilling request
 *   occupies its slot, so it counts in the batch size that slows the others' decode steps.
 * - Decode: after each token, the sequence's next token comes one step later, with the step duration
 *   decodeStepMs(active) taken from the copy's occupied slots at that instant, after every event of that
 *   instant (ends, admissions) has been applied. Sequences step independently (not in lock-step).
 * - End: after `maxOutputTokens` tokens, or earlier when the optional EOS draw says so; the slot frees
 *   at the last token's instant (lastTokenMs = endMs).
 * - Cancellation: frees the slot (or the queue place) at the clock's now; no more listener calls.
 * - Copies come and go (capacity.ts): `addCopy` adds one at once (provisioning is the caller's
 *   business); `drainCopy` stops routing to a copy, lets its admitted and queued requests finish,
 *   and removes it when the last one ends. With no copy taking requests, a request is rejected
 *   with `no_capacity` (SageMaker's "Inference Component has no capacity" answer).
 * - Concurrency windows for CloudWatch's ConcurrentRequestsPer{Model,Copy}: each copy keeps the
 *   maximum and minimum of its outstanding requests (queued or running, from arrival to the last
 *   token) since the last `takeConcurrency()`.
 *
 * No drift: every instant is computed from the previous model instant (never from when a timer
 * actually fired) and the clock is asked to sleep until that absolute instant. Listeners receive the
 * model's instants; with a RealClock they are called at or just after them.
 */
import type { Clock } from '../lib/clock.js';
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import type { ModelConfig } from './config.js';
import { EventQueue } from './event-queue.js';
import { Ring } from './ring.js';
import { decodeStepMs, prefillMs } from './timing.js';

export interface ModelRequest {
  id: string;
  inputTokens: number;
  /** At least 1. */
  maxOutputTokens: number;
}

/** `length`: ran to maxOutputTokens; `stop`: ended earlier by the EOS draw. */
export type FinishReason = 'length' | 'stop';

/** `no_capacity`: no copy takes requests (zero copies, or all draining). */
export type RejectReason = 'queue_full' | 'no_capacity' | 'closed';

/**
 * Callbacks for one request, called with model instants (epoch ms of the model's clock).
 * `onAdmitted` and `onRejected` may be called before `submit` returns; tokens never are.
 * After `cancel()` no callback is called.
 */
export interface ModelListener {
  onAdmitted?(tMs: number, copy: number): void;
  /** Called once, just before `onToken(tMs, 0)`. */
  onFirstToken?(tMs: number): void;
  /** Every output token, index 0 first; `finish` is set on the last one (onEnd follows at the same instant). */
  onToken(tMs: number, index: number, finish?: FinishReason): void;
  onEnd(tMs: number, info: { outputTokens: number; finishReason: FinishReason }): void;
  onRejected?(tMs: number, reason: RejectReason): void;
}

export interface ModelHandle {
  readonly id: string;
  /** Frees the request's slot or queue place now. No-op once it has ended. */
  cancel(): void;
}

export type RequestOutcome = 'ok' | 'cancelled' | 'rejected' | 'closed';

/** One finished request's instants (model time, epoch ms). */
export interface RequestTiming {
  id: string;
  /** Copy it was routed to (also for a request rejected at that copy's full queue); -1 when there was none. */
  copy: number;
  arrivalMs: number;
  admittedMs?: number;
  firstTokenMs?: number;
  lastTokenMs?: number;
  endMs: number;
  inputTokens: number;
  maxOutputTokens: number;
  outputTokens: number;
  outcome: RequestOutcome;
  finishReason?: FinishReason;
  rejectReason?: RejectReason;
}

export interface ModelCounters {
  submitted: number;
  admitted: number;
  rejected: number;
  completed: number;
  cancelled: number;
  outputTokens: number;
}

export interface CopyStats {
  copy: number;
  /** Occupied slots: prefilling or decoding. */
  active: number;
  queued: number;
  /** Present (true) while the copy drains. */
  draining?: true;
}

/** One copy's outstanding-request extremes over a concurrency window. */
export interface CopyConcurrency {
  copy: number;
  max: number;
  min: number;
}

/** Hooks for metering (metrics-publisher.ts); called synchronously, must not call back into the model. */
export interface ModelObserver {
  /** A request was routed to a copy (not called for `no_capacity` or `closed` rejections). */
  onArrival?(tMs: number): void;
  /** A request finished, whatever its outcome (rejections included). */
  onFinished?(timing: RequestTiming): void;
}

export interface ModelStats {
  nowMs: number;
  active: number;
  queued: number;
  copies: CopyStats[];
  counters: ModelCounters;
}

type Phase = 'queued' | 'running' | 'done';

interface Sequence {
  timing: RequestTiming;
  /** Where it was routed; undefined for a request rejected without a copy. */
  copy: Copy | undefined;
  listener: ModelListener;
  phase: Phase;
  /** Tokens this request will produce (maxOutputTokens, or fewer by the EOS draw). */
  targetTokens: number;
  /** Instant of the pending token event; a popped event with another instant is stale. */
  nextTokenMs: number;
}

interface Copy {
  /** Stable id: copies are numbered 0, 1, 2… in the order they were added, never reused. */
  index: number;
  active: number;
  queue: Sequence[];
  /** Takes no new requests; removed when its last request ends. */
  draining: boolean;
  onDrained: (() => void) | undefined;
  windowMax: number;
  windowMin: number;
}

const outstanding = (c: Copy): number => c.active + c.queue.length;

function newCopy(index: number): Copy {
  return { index, active: 0, queue: [], draining: false, onDrained: undefined, windowMax: 0, windowMin: 0 };
}

/**
 * The simulated serving model. Time comes only from the Clock: with a VirtualClock the model runs
 * deterministically in virtual time (advance the clock, observe exact instants).
 */
export class ServingModel {
  /** Live copies (draining ones included), in id order. */
  private copies: Copy[];
  /** Copies removed since the last concurrency window was taken (their window still counts). */
  private retired: Copy[] = [];
  private nextCopyIndex: number;
  private observer: ModelObserver | undefined;
  private readonly events = new EventQueue<Sequence>();
  private readonly finished: Ring<RequestTiming>;
  private readonly running = new Set<Sequence>();
  private readonly eosRng: Rng;
  private readonly counters: ModelCounters = {
    submitted: 0,
    admitted: 0,
    rejected: 0,
    completed: 0,
    cancelled: 0,
    outputTokens: 0,
  };
  private armedAtMs: number | undefined;
  private cancelTimer: (() => void) | undefined;
  /** True while events are being applied; re-entrant calls from listeners must not re-run them. */
  private inEvents = false;
  private closed = false;

  constructor(
    readonly config: ModelConfig,
    private readonly clock: Clock,
    seed = 1,
  ) {
    this.copies = Array.from({ length: config.copies }, (_, index) => newCopy(index));
    this.nextCopyIndex = config.copies;
    this.finished = new Ring(config.groundTruthLimit);
    this.eosRng = createRng(deriveSeed(seed, 'model.eos'));
  }

  /** Accepts a request now: routes it, admits or queues or rejects it. */
  submit(request: ModelRequest, listener: ModelListener): ModelHandle {
    if (!Number.isInteger(request.maxOutputTokens) || request.maxOutputTokens < 1) {
      throw new RangeError(`maxOutputTokens must be an integer ≥ 1, got ${request.maxOutputTokens}`);
    }
    if (!Number.isInteger(request.inputTokens) || request.inputTokens < 0) {
      throw new RangeError(`inputTokens must be an integer ≥ 0, got ${request.inputTokens}`);
    }
    this.applyDueEvents();
    const nowMs = this.clock.nowMs();
    this.counters.submitted++;
    const copy = this.closed ? undefined : this.route();
    const seq: Sequence = {
      copy,
      timing: {
        id: request.id,
        copy: copy?.index ?? -1,
        arrivalMs: nowMs,
        endMs: nowMs,
        inputTokens: request.inputTokens,
        maxOutputTokens: request.maxOutputTokens,
        outputTokens: 0,
        outcome: 'ok',
      },
      listener,
      phase: 'queued',
      targetTokens: this.drawTargetTokens(request.maxOutputTokens),
      nextTokenMs: Number.NaN,
    };
    const handle: ModelHandle = { id: request.id, cancel: () => this.cancel(seq) };
    if (this.closed) {
      this.reject(seq, nowMs, 'closed');
    } else if (copy === undefined) {
      this.reject(seq, nowMs, 'no_capacity');
    } else {
      this.observer?.onArrival?.(nowMs);
      if (copy.active < this.config.batchSlots) {
        this.admit(copy, seq, nowMs);
      } else if (this.config.maxQueue !== undefined && copy.queue.length >= this.config.maxQueue) {
        this.reject(seq, nowMs, 'queue_full');
      } else {
        copy.queue.push(seq);
      }
      this.touch(copy);
    }
    this.arm();
    return handle;
  }

  /** Receives arrivals and finished requests (one observer; a later call replaces it). */
  setObserver(observer: ModelObserver | undefined): void {
    this.observer = observer;
  }

  /** Adds a copy that takes requests at once; returns its id. */
  addCopy(): number {
    this.applyDueEvents();
    const copy = newCopy(this.nextCopyIndex++);
    this.copies.push(copy);
    return copy.index;
  }

  /**
   * Stops routing to copy `id`; its admitted and queued requests run to their end, then the copy is
   * removed and `onDrained` called (at once when it is idle). Unknown or already draining: no-op.
   */
  drainCopy(id: number, onDrained?: () => void): void {
    this.applyDueEvents();
    const copy = this.copies.find((c) => c.index === id);
    if (copy === undefined || copy.draining) return;
    copy.draining = true;
    copy.onDrained = onDrained;
    this.removeIfDrained(copy);
  }

  /** Ids of the copies taking requests (not draining). */
  servingCopies(): number[] {
    return this.copies.filter((c) => !c.draining).map((c) => c.index);
  }

  /**
   * Each copy's maximum and minimum outstanding requests since the previous call (or since it was
   * added), copies removed meanwhile included; then starts a new window at the current values.
   */
  takeConcurrency(): CopyConcurrency[] {
    this.applyDueEvents();
    const out = [...this.retired, ...this.copies].map((c) => ({ copy: c.index, max: c.windowMax, min: c.windowMin }));
    this.retired = [];
    for (const c of this.copies) c.windowMax = c.windowMin = outstanding(c);
    return out;
  }

  /** Current occupancy per copy and counters. */
  stats(): ModelStats {
    const copies = this.copies.map((c): CopyStats => ({ copy: c.index, active: c.active, queued: c.queue.length, ...(c.draining && { draining: true as const }) }));
    return {
      nowMs: this.clock.nowMs(),
      active: copies.reduce((sum, c) => sum + c.active, 0),
      queued: copies.reduce((sum, c) => sum + c.queued, 0),
      copies,
      counters: { ...this.counters },
    };
  }

  /** Copies of the counters since construction. */
  counts(): ModelCounters {
    return { ...this.counters };
  }

  /**
   * Timing records of finished requests (ok, cancelled, rejected, closed), in the order they finished.
   * Bounded by `groundTruthLimit`: beyond it the oldest are dropped (`groundTruthDropped()` says how many).
   */
  groundTruth(): RequestTiming[] {
    return this.finished.toArray();
  }

  groundTruthDropped(): number {
    return this.finished.dropped;
  }

  /** Stops the event loop; outstanding requests end with outcome `closed` and no further callbacks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    this.events.clear();
    const nowMs = this.clock.nowMs();
    const outstanding = [...this.running, ...this.copies.flatMap((c) => c.queue)];
    for (const copy of this.copies) {
      copy.queue = [];
      copy.active = 0;
    }
    this.running.clear();
    for (const seq of outstanding) this.finish(seq, nowMs, 'closed');
  }

  /** The serving copy with the fewest outstanding requests (lowest id on ties); undefined when none serves. */
  private route(): Copy | undefined {
    let best: Copy | undefined;
    for (const copy of this.copies) {
      if (copy.draining) continue;
      if (best === undefined || outstanding(copy) < outstanding(best)) best = copy;
    }
    return best;
  }

  /** Widens the copy's concurrency window to its current outstanding count. */
  private touch(copy: Copy): void {
    const n = outstanding(copy);
    if (n > copy.windowMax) copy.windowMax = n;
    if (n < copy.windowMin) copy.windowMin = n;
  }

  /** A request left `copy`: update its window, and remove it when it was draining and is now idle. */
  private left(copy: Copy): void {
    this.touch(copy);
    this.removeIfDrained(copy);
  }

  private removeIfDrained(copy: Copy): void {
    if (!copy.draining || outstanding(copy) > 0) return;
    this.copies = this.copies.filter((c) => c !== copy);
    this.retired.push(copy);
    const done = copy.onDrained;
    copy.onDrained = undefined;
    done?.();
  }

  /** Geometric length: after each token, EOS with probability p; capped at maxOutputTokens. */
  private drawTargetTokens(maxOutputTokens: number): number {
    const p = this.config.eosProbabilityPerToken;
    if (p <= 0) return maxOutputTokens;
    if (p >= 1) return 1;
    const extra = Math.floor(Math.log(1 - this.eosRng.next()) / Math.log(1 - p));
    return Math.min(maxOutputTokens, 1 + extra);
  }

  private admit(copy: Copy, seq: Sequence, tMs: number): void {
    copy.active++;
    this.counters.admitted++;
    seq.phase = 'running';
    seq.timing.admittedMs = tMs;
    seq.nextTokenMs = tMs + prefillMs(this.config, seq.timing.inputTokens);
    this.running.add(seq);
    this.events.push(seq.nextTokenMs, seq);
    seq.listener.onAdmitted?.(tMs, copy.index);
  }

  private reject(seq: Sequence, tMs: number, reason: RejectReason): void {
    this.counters.rejected++;
    seq.phase = 'done';
    seq.timing.outcome = 'rejected';
    seq.timing.rejectReason = reason;
    seq.timing.endMs = tMs;
    this.finished.push(seq.timing);
    this.observer?.onFinished?.(seq.timing);
    seq.listener.onRejected?.(tMs, reason);
  }

  private cancel(seq: Sequence): void {
    // Events due by now (e.g. this request's own last token) happen before the cancel.
    this.applyDueEvents();
    if (seq.phase === 'done') return;
    const nowMs = this.clock.nowMs();
    const copy = seq.copy!;
    if (seq.phase === 'queued') {
      copy.queue.splice(copy.queue.indexOf(seq), 1);
    } else {
      copy.active--;
      this.running.delete(seq);
      this.admitQueued(copy, nowMs);
    }
    this.counters.cancelled++;
    this.finish(seq, nowMs, 'cancelled');
    this.left(copy);
    this.arm();
  }

  private finish(seq: Sequence, tMs: number, outcome: RequestOutcome): void {
    seq.phase = 'done';
    seq.timing.outcome = outcome;
    seq.timing.endMs = tMs;
    this.finished.push(seq.timing);
    this.observer?.onFinished?.(seq.timing);
  }

  private admitQueued(copy: Copy, tMs: number): void {
    while (copy.active < this.config.batchSlots) {
      const next = copy.queue.shift();
      if (next === undefined) return;
      this.admit(copy, next, tMs);
    }
  }

  /** Applies every event due at or before the clock's now, one instant at a time, then re-arms. */
  private applyDueEvents(): void {
    if (this.inEvents || this.closed) return;
    this.inEvents = true;
    try {
      const nowMs = this.clock.nowMs();
      for (let head = this.events.peek(); head !== undefined && head.tMs <= nowMs; head = this.events.peek()) {
        const tMs = head.tMs;
        const due: Sequence[] = [];
        while (this.events.peek()?.tMs === tMs) due.push(this.events.pop()!.value);
        this.applyInstant(tMs, due);
      }
    } finally {
      this.inEvents = false;
    }
    this.arm();
  }

  /**
   * One instant: emit each due token and end finished sequences (freeing slots and admitting queued
   * requests), then schedule each continuing sequence's next token with the occupancy after all that.
   */
  private applyInstant(tMs: number, due: Sequence[]): void {
    const continuing: Sequence[] = [];
    for (const seq of due) {
      if (seq.phase !== 'running' || seq.nextTokenMs !== tMs) continue;
      const index = seq.timing.outputTokens;
      seq.timing.outputTokens++;
      seq.timing.lastTokenMs = tMs;
      this.counters.outputTokens++;
      const ended = seq.timing.outputTokens >= seq.targetTokens;
      if (index === 0) seq.timing.firstTokenMs = tMs;
      let finishReason: FinishReason | undefined;
      if (ended) {
        const copy = seq.copy!;
        copy.active--;
        this.running.delete(seq);
        this.counters.completed++;
        finishReason = seq.targetTokens < seq.timing.maxOutputTokens ? 'stop' : 'length';
        seq.timing.finishReason = finishReason;
        this.finish(seq, tMs, 'ok');
        this.admitQueued(copy, tMs);
        this.left(copy);
      } else {
        continuing.push(seq);
      }
      if (index === 0) seq.listener.onFirstToken?.(tMs);
      seq.listener.onToken(tMs, index, finishReason);
      if (finishReason !== undefined) {
        seq.listener.onEnd(tMs, { outputTokens: seq.timing.outputTokens, finishReason });
      }
    }
    for (const seq of continuing) {
      // A listener may have cancelled it meanwhile.
      if (seq.phase !== 'running') continue;
      const copy = seq.copy!;
      seq.nextTokenMs = tMs + decodeStepMs(this.config, copy.active);
      this.events.push(seq.nextTokenMs, seq);
    }
  }

  /** Makes sure one clock timer is pending for the earliest event (one timer, not one per request). */
  private arm(): void {
    if (this.inEvents || this.closed) return;
    const next = this.events.peek();
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.armedAtMs !== undefined && this.armedAtMs <= next.tMs) return;
    this.disarm();
    this.armedAtMs = next.tMs;
    this.cancelTimer = this.clock.setTimer(next.tMs, () => {
      this.cancelTimer = undefined;
      this.armedAtMs = undefined;
      this.applyDueEvents();
    });
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAtMs = undefined;
  }
}
