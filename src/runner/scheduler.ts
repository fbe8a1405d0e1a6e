/**
 * Sends requests. Open loop: each planned arrival leaves at its planned instant whatever the
 * replies do; when `maxInFlight` requests are outstanding, the arrival becomes a `dropped` result
 * (counted and shown, never skipped). Closed loop: N users each send, wait for the reply, send again.
 */
import type { Clock } from '../lib/clock.js';
import { deriveSeed } from '../lib/random.js';
import type { Schedule, RequestSpec } from '../profile/types.js';
import { InvocationError, type InferenceRequest, type Invoker } from '../targets/types.js';
import { errorMessage } from '../lib/errors.js';
import type { Recorder } from '../record/recorder.js';
import type { RequestResult } from '../record/types.js';
import { syntheticPrompt } from '../workload/prompt.js';
import { RequestTracker } from './tracker.js';
import { closedRequestNumber, ownsArrival, shareOf, WHOLE, type ShardSpec } from './shard.js';

/** While behind schedule, overdue sends go out in bursts of this many, with a turn of the event loop between. */
const CATCH_UP_BATCH = 16;

export interface SchedulerOptions {
  schedule: Schedule;
  invoker: Invoker;
  clock: Clock;
  recorder: Recorder;
  runStartMs: number;
  maxInFlight: number;
  maxRequests?: number;
  /** Aborting it stops sending; requests already out go on. */
  sendSignal: AbortSignal;
  /** Aborting it cancels requests in flight. */
  inflightSignal: AbortSignal;
  /** Called when `maxRequests` arrivals were handled. */
  onMaxRequests: () => void;
  /** This process's share of the schedule (shard.ts); default the whole of it. */
  shard?: ShardSpec;
}

export class Scheduler {
  private readonly inflight = new Set<Promise<void>>();
  private launched = 0;
  private readonly closedSeqBase: number;
  private readonly shard: ShardSpec;

  constructor(private readonly o: SchedulerOptions) {
    this.shard = o.shard ?? WHOLE;
    // Closed-loop requests are numbered after every planned open-loop arrival, so seq stays unique and deterministic.
    this.closedSeqBase = o.schedule.stages.reduce((n, s) => n + (s.expectedRequests ?? 0), 0);
    syntheticPrompt(1, 0); // builds the prompt corpus now, not at the first planned send
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  get handled(): number {
    return this.launched;
  }

  /** Runs every open and closed stage to the end of the schedule, or until the send signal aborts. */
  async run(): Promise<void> {
    const closed = this.o.schedule.stages.filter((s) => s.mode === 'closed').map((s) => this.runClosedStage(s.index));
    // A closed-loop user waits for its reply; stopping must not wait for it (drain does, with a grace period).
    const stopped = new Promise<void>((resolve) => {
      if (this.o.sendSignal.aborted) resolve();
      this.o.sendSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([Promise.all([this.runOpenLoop(), ...closed]), stopped]);
  }

  /** Resolves when every request in flight has ended. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private allowMore(): boolean {
    if (this.o.sendSignal.aborted) return false;
    if (this.o.maxRequests !== undefined && this.launched >= this.o.maxRequests) {
      this.o.onMaxRequests();
      return false;
    }
    return true;
  }

  private async runOpenLoop(): Promise<void> {
    const { schedule, clock, runStartMs, sendSignal } = this.o;
    let lateSends = 0;
    for (const planned of schedule.arrivals()) {
      if (!ownsArrival(planned.seq, this.shard)) continue;
      if (!this.allowMore()) return;
      const intendedMs = runStartMs + planned.offsetMs;
      // Built before waiting, so the send itself is all that happens at the planned instant.
      const req = this.request(planned.seq, planned.stage, intendedMs, planned);
      if (clock.nowMs() < intendedMs) {
        lateSends = 0;
        try {
          await clock.sleepUntil(intendedMs, sendSignal);
        } catch {
          return; // send signal aborted while waiting
        }
      } else if (++lateSends % CATCH_UP_BATCH === 0) {
        // Behind schedule: let replies be read between bursts of overdue sends, or they pile up too.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (!this.allowMore()) return;
      this.launched++;
      if (this.inflight.size >= this.o.maxInFlight) {
        this.o.recorder.result(droppedResult(planned.seq, planned.stage, intendedMs, planned, this.o.maxInFlight));
        continue;
      }
      this.launch(req);
    }
  }

  private async runClosedStage(stageIndex: number): Promise<void> {
    const { schedule, clock, runStartMs, sendSignal } = this.o;
    const stage = schedule.stages[stageIndex];
    if (!stage || stage.mode !== 'closed') return;
    const startMs = runStartMs + stage.startMs;
    const endMs = startMs + stage.durationMs;
    try {
      await clock.sleepUntil(startMs, sendSignal);
    } catch {
      return;
    }
    let k = 0;
    const user = async (): Promise<void> => {
      while (this.allowMore() && clock.nowMs() < endMs) {
        const n = closedRequestNumber(k++, this.shard);
        const spec = schedule.closedLoopSpec(stageIndex, n);
        const seq = this.closedSeqBase + stageIndex * 1_000_000_000 + n;
        this.launched++;
        // A user is ready to send the moment its previous reply ended: that instant is the plan.
        await this.launch(this.request(seq, stageIndex, clock.nowMs(), spec));
      }
    };
    await Promise.all(Array.from({ length: shareOf(stage.users ?? 0, this.shard) }, user));
  }

  private request(seq: number, stage: number, intendedMs: number, spec: RequestSpec): InferenceRequest {
    return {
      seq,
      stage,
      intendedMs,
      prompt: syntheticPrompt(spec.inputTokens, deriveSeed(this.o.schedule.seed, `prompt:${seq}`)),
      inputTokens: spec.inputTokens,
      maxOutputTokens: spec.outputTokens,
    };
  }

  private launch(req: InferenceRequest): Promise<void> {
    const tracker = new RequestTracker(req, this.o.recorder, (r) => this.o.recorder.result(r));
    const p: Promise<void> = this.o.invoker
      .invoke(req, tracker, this.o.inflightSignal)
      .catch((e: unknown) => {
        // An invoker must not reject for a request failure; if one does, the request is still data.
        tracker.onError(this.o.clock.nowMs(), clientError(e));
      })
      .finally(() => {
        if (!tracker.ended) tracker.onError(this.o.clock.nowMs(), clientError(new Error('the invoker returned without ending the request')));
        this.inflight.delete(p);
      });
    this.inflight.add(p);
    return p;
  }
}

function clientError(e: unknown): InvocationError {
  return new InvocationError({ kind: 'client', message: errorMessage(e) });
}

function droppedResult(seq: number, stage: number, intendedMs: number, spec: RequestSpec, limit: number): RequestResult {
  return {
    seq,
    stage,
    intendedMs,
    endMs: intendedMs,
    inputTokens: spec.inputTokens,
    outputTokens: 0,
    outcome: 'dropped',
    error: { kind: 'client', code: 'max_in_flight', message: `${limit} requests already in flight` },
  };
}
