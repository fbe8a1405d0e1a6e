/**
 * A run's lifecycle: open the run directory, record, schedule, stop (plan done, a stop condition,
 * or Ctrl-C), give in-flight streams their grace period, close the last interval, write the summary.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../lib/clock.js';
import type { Schedule } from '../profile/types.js';
import type { Invoker } from '../targets/types.js';
import { Recorder, type TimelineRow } from '../record/recorder.js';
import { RunDirectory, RUN_FILES } from '../record/run-dir.js';
import { buildSummary, type RunInfo, type Summary } from '../record/summary.js';
import { Scheduler } from './scheduler.js';
import { ErrorRateWatch, type ErrorRateLimit, type StopReason } from './stop.js';

/** Time between the run's set-up and its first planned send, when no start instant is given. */
const START_LEAD_MS = 100;

export interface RunLimits {
  maxInFlight: number;
  maxRequests?: number;
  maxDurationS?: number;
  abortOnErrorRate?: ErrorRateLimit;
  gracePeriodS: number;
}

export interface RunOptions {
  schedule: Schedule;
  invoker: Invoker;
  clock: Clock;
  outDir: string;
  limits: RunLimits;
  intervalMs: number;
  writeResults: boolean;
  /** What run.json records besides timing: profile as expanded, target, versions, host… */
  runInfo: Omit<RunInfo, 'startMs' | 'endMs' | 'stopReason' | 'stopDetail'>;
  /** Aborting stops sending (Ctrl-C); in-flight requests get the grace period. */
  stopSignal?: AbortSignal;
  /** Aborting cancels in-flight requests at once (a second Ctrl-C). */
  cancelSignal?: AbortSignal;
  /** Each closed interval, for a progress line. */
  onInterval?: (row: TimelineRow, inFlight: number) => void;
  /** Instant to start at (epoch ms); default: now plus a short lead for set-up. */
  startAtMs?: number;
}

export interface RunOutcome {
  dir: string;
  summary: Summary;
  stopReason: StopReason;
}

export async function executeRun(o: RunOptions): Promise<RunOutcome> {
  const dir = new RunDirectory(o.outDir);
  // The lead lets the set-up below (files, recorder) finish before the first planned send.
  const runStartMs = o.startAtMs ?? o.clock.nowMs() + START_LEAD_MS;
  const sendController = new AbortController();
  const inflightController = new AbortController();
  // Every request in flight listens on these: thousands of listeners are expected, not a leak.
  setMaxListeners(0, sendController.signal, inflightController.signal);
  let stopReason: StopReason = 'completed';
  let stopDetail: string | undefined;
  const stop = (reason: StopReason, detail?: string): void => {
    if (sendController.signal.aborted) return;
    stopReason = reason;
    stopDetail = detail;
    sendController.abort();
  };
  const onUserStop = (): void => stop('interrupted', 'stopped by the user');
  const onUserCancel = (): void => inflightController.abort();
  if (o.stopSignal?.aborted) onUserStop();
  o.stopSignal?.addEventListener('abort', onUserStop, { once: true });
  o.cancelSignal?.addEventListener('abort', onUserCancel, { once: true });

  const baseInfo = { ...o.runInfo, startMs: runStartMs };
  // When this process's clock actually reached the start: a timer wakes late, and a start already past begins at once.
  const startWatch = new AbortController();
  const began = o.clock.sleepUntil(runStartMs, startWatch.signal).then(
    () => o.clock.nowMs(),
    () => undefined,
  );
  dir.writeJson(RUN_FILES.run, baseInfo);
  const errorWatch = o.limits.abortOnErrorRate ? new ErrorRateWatch(o.limits.abortOnErrorRate) : undefined;
  let scheduler: Scheduler | undefined;
  const recorder = new Recorder({
    runStartMs,
    intervalMs: o.intervalMs,
    stages: o.schedule.stages,
    rateAt: (offsetMs) => o.schedule.rateAt(offsetMs),
    sinks: {
      hlog: dir.openStream(RUN_FILES.hlog),
      timeline: dir.openStream(RUN_FILES.timeline),
      ...(o.writeResults && { results: dir.openStream(RUN_FILES.results) }),
      flush: () => dir.flush(),
    },
    onInterval: (row) => {
      o.onInterval?.(row, scheduler?.inFlight ?? 0);
      const breach = errorWatch?.push(row);
      if (breach) stop('error_rate', breach);
    },
  });
  scheduler = new Scheduler({
    schedule: o.schedule,
    invoker: o.invoker,
    clock: o.clock,
    recorder,
    runStartMs,
    maxInFlight: o.limits.maxInFlight,
    ...(o.limits.maxRequests !== undefined && { maxRequests: o.limits.maxRequests }),
    sendSignal: sendController.signal,
    inflightSignal: inflightController.signal,
    ...(o.runInfo.shard && { shard: o.runInfo.shard }),
    onMaxRequests: () => stop('max_requests', `reached ${o.limits.maxRequests} requests`),
  });

  // The ticker closes intervals on the clock, so a run killed at any moment has its last interval on disk.
  const tickerController = new AbortController();
  const ticker = (async () => {
    for (let t = runStartMs + o.intervalMs; ; t += o.intervalMs) {
      try {
        await o.clock.sleepUntil(t, tickerController.signal);
      } catch {
        return;
      }
      recorder.tick(o.clock.nowMs(), scheduler.inFlight);
    }
  })();

  const durationLimitMs = o.limits.maxDurationS !== undefined ? o.limits.maxDurationS * 1000 : undefined;
  const durationTimer =
    durationLimitMs !== undefined && durationLimitMs < o.schedule.durationMs
      ? o.clock.sleepUntil(runStartMs + durationLimitMs, sendController.signal).then(
          () => stop('max_duration', `reached ${o.limits.maxDurationS} s`),
          () => undefined,
        )
      : Promise.resolve();

  try {
    await scheduler.run();
    // Open-loop arrivals may end before the schedule does; the run lasts the planned duration.
    if (!sendController.signal.aborted) {
      await o.clock.sleepUntil(runStartMs + o.schedule.durationMs, sendController.signal).catch(() => undefined);
    }
    stop(stopReason);
    await durationTimer;
    await drainWithGrace(scheduler, o.clock, o.limits.gracePeriodS * 1000, inflightController);
  } finally {
    tickerController.abort();
    startWatch.abort();
    await ticker;
    o.stopSignal?.removeEventListener('abort', onUserStop);
    o.cancelSignal?.removeEventListener('abort', onUserCancel);
  }
  const endMs = o.clock.nowMs();
  await recorder.finish(endMs, scheduler.inFlight);
  const beganMs = await began;
  const shard = baseInfo.shard && { ...baseInfo.shard, ...(beganMs !== undefined && { measuredStartSkewMs: Math.round((beganMs - runStartMs) * 1000) / 1000 }) };
  const info: RunInfo = { ...baseInfo, ...(shard && { shard }), endMs, stopReason, ...(stopDetail !== undefined && { stopDetail }) };
  dir.writeJson(RUN_FILES.run, info);
  const summary = buildSummary(info, o.schedule, recorder.snapshot());
  dir.writeJson(RUN_FILES.summary, summary);
  await dir.close();
  return { dir: dir.path, summary, stopReason };
}

/** Waits for in-flight requests up to `graceMs`, then cancels the rest (they end as `cancelled`). */
async function drainWithGrace(scheduler: Scheduler, clock: Clock, graceMs: number, inflight: AbortController): Promise<void> {
  if (scheduler.inFlight === 0) return;
  const graceOver = new AbortController();
  const drained = scheduler.drain().then(() => graceOver.abort());
  await clock.sleepUntil(clock.nowMs() + graceMs, graceOver.signal).catch(() => undefined);
  if (scheduler.inFlight > 0) inflight.abort();
  await drained;
}
