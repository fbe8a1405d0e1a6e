import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { executeRun, type RunOptions } from '../../src/runner/run.js';
import { readHlog } from '../../src/record/hlog.js';
import type { TimelineRow } from '../../src/record/recorder.js';
import type { RequestResult } from '../../src/record/types.js';
import { ScriptedInvoker, type Script } from '../helpers/scripted-invoker.js';
import { driveVirtual } from '../helpers/virtual-run.js';
import { stepSchedule } from '../helpers/simple-schedule.js';
import type { Schedule } from '../../src/profile/types.js';

const T0 = 1_800_000_000_000;
const quick: Script = { ttftMs: 100, tokens: 5, itlMs: 20 };

function setup(schedule: Schedule, invoker: (clock: VirtualClock) => ScriptedInvoker, over: Partial<RunOptions> = {}) {
  const clock = new VirtualClock(T0);
  const outDir = mkdtempSync(join(tmpdir(), 'scalelab-run-'));
  const inv = invoker(clock);
  const opts: RunOptions = {
    schedule,
    invoker: inv,
    clock,
    outDir,
    limits: { maxInFlight: 100, gracePeriodS: 5 },
    intervalMs: 1000,
    writeResults: true,
    startAtMs: T0,
    runInfo: {
      tool: { name: 'scalelab', version: 'test' }, node: process.version, host: 'test',
      profile: { name: 'test', path: 'test.yaml', seed: 1, expanded: {} }, plan: { durationMs: schedule.durationMs, stages: schedule.stages }, target: { kind: 'scripted' }, intervalMs: 1000,
    },
    ...over,
  };
  return { clock, outDir, inv, run: () => driveVirtual(clock, executeRun(opts)) };
}

const readNdjson = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);

function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

describe('runner in virtual time', () => {
  it('sends every planned request on time and records exact latencies', async () => {
    const { run, inv, outDir } = setup(stepSchedule([{ rateRps: 10, durationS: 5 }]), (c) => new ScriptedInvoker(c, () => quick));
    const { summary, stopReason } = await run();
    expect(stopReason).toBe('completed');
    expect(inv.sent).toHaveLength(50);
    inv.sent.forEach((s, i) => expect(s.sentMs).toBeCloseTo(T0 + i * 100, 6));
    expect(summary.totals).toMatchObject({ sent: 50, ok: 50, errors: 0, dropped: 0, outputTokens: 250, tokensFromEvents: 50 });
    expect(summary.metrics.ttft?.p50Ms).toBeCloseTo(100, 0);
    expect(summary.metrics.e2e?.p99Ms).toBeCloseTo(180, 0);
    expect(summary.metrics.itl?.count).toBe(200);
    expect(summary.metrics.itl?.p50Ms).toBeCloseTo(20, 1);
    expect(summary.metrics.tpot?.p50Ms).toBeCloseTo(20, 1);
    expect(summary.metrics.lag?.maxMs).toBe(0);
    const rows = readNdjson<TimelineRow>(join(outDir, 'timeline.ndjson'));
    expect(rows.reduce((n, r) => n + r.sent, 0)).toBe(50);
    expect(rows.reduce((n, r) => n + r.ok, 0)).toBe(50);
    expect(rows[0]).toMatchObject({ tMs: T0, offsetS: 0, sent: 10, offeredRps: 10 });
    const results = readNdjson<RequestResult>(join(outDir, 'results.ndjson'));
    expect(results).toHaveLength(50);
    expect(results[0]).toMatchObject({ seq: 0, outcome: 'ok', intendedMs: T0, sentMs: T0, firstTokenMs: T0 + 100, endMs: T0 + 180 });
    const hlog = readHlog(readFileSync(join(outDir, 'latency.hlog'), 'utf8'));
    const ttftIntervals = hlog.filter((i) => i.tag === 'ttft');
    expect(ttftIntervals.reduce((n, i) => n + i.histogram.totalCount, 0)).toBe(50);
    expect(hlog.find((i) => i.tag === 'e2e.stage0')?.histogram.totalCount).toBe(50);
    const runJson = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8')) as { startMs: number; endMs: number };
    expect(runJson.startMs).toBe(T0);
    expect(runJson.endMs).toBeGreaterThanOrEqual(T0 + 5000);
  });

  it('measures a server stall from the planned send time (coordinated omission)', async () => {
    const stall = { fromMs: T0 + 2000, toMs: T0 + 4000 };
    const { run } = setup(stepSchedule([{ rateRps: 10, durationS: 6 }]), (c) => new ScriptedInvoker(c, () => quick, stall));
    const { summary } = await run();
    // Expected TTFT per request from the script: due at intended+100, frozen until 4000 when due in the stall.
    const expected = Array.from({ length: 60 }, (_, i) => {
      const due = i * 100 + 100;
      return (due >= 2000 && due < 4000 ? 4000 : due) - i * 100;
    });
    expect(summary.totals.ok).toBe(60);
    for (const p of [50, 90, 99] as const) {
      const want = exactPercentile(expected, p);
      const got = summary.metrics.ttft?.[`p${p}Ms`] ?? -1;
      expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 0.001 + 0.001);
    }
    expect(summary.metrics.ttft?.maxMs).toBeCloseTo(2100, 0);
  });

  it('turns arrivals over the in-flight limit into dropped results', async () => {
    const stall = { fromMs: T0 + 1000, toMs: T0 + 3000 };
    let inFlight = 0;
    let peak = 0;
    const { run, outDir } = setup(
      stepSchedule([{ rateRps: 10, durationS: 5 }]),
      (c) => {
        const inv = new ScriptedInvoker(c, () => quick, stall);
        const orig = inv.invoke.bind(inv);
        inv.invoke = async (req, obs, signal) => {
          peak = Math.max(peak, ++inFlight);
          await orig(req, obs, signal);
          inFlight--;
        };
        return inv;
      },
      { limits: { maxInFlight: 5, gracePeriodS: 5 } },
    );
    const { summary } = await run();
    expect(peak).toBe(5);
    expect(summary.totals.dropped).toBeGreaterThan(0);
    expect(summary.totals.sent + summary.totals.dropped).toBe(50);
    // Stall from 1.0 s: in flight at 1.0 s are 0.9 and 1.0's predecessors; every arrival then adds one until 5.
    const rows = readNdjson<TimelineRow>(join(outDir, 'timeline.ndjson'));
    expect(rows.reduce((n, r) => n + r.dropped, 0)).toBe(summary.totals.dropped);
    const results = readNdjson<RequestResult>(join(outDir, 'results.ndjson'));
    expect(results.filter((r) => r.outcome === 'dropped')).toHaveLength(summary.totals.dropped);
    expect(results.find((r) => r.outcome === 'dropped')?.error?.code).toBe('max_in_flight');
  });

  it('stops when the error rate over the window passes the limit', async () => {
    const failing = (c: VirtualClock): ScriptedInvoker =>
      new ScriptedInvoker(c, (req) => (req.intendedMs >= T0 + 2000 ? { ...quick, failAfterTokens: { tokens: 0, kind: 'model_error' } } : quick));
    const { run } = setup(stepSchedule([{ rateRps: 10, durationS: 10 }]), failing, {
      limits: { maxInFlight: 100, gracePeriodS: 5, abortOnErrorRate: { rate: 0.5, windowS: 2, minRequests: 5 } },
    });
    const { summary, stopReason } = await run();
    expect(stopReason).toBe('error_rate');
    expect(summary.run.stopDetail).toMatch(/error rate/);
    expect(summary.totals.sent).toBeLessThan(60);
    expect(summary.totals.errorsByKind.model_error).toBe(summary.totals.errors);
    expect(summary.totals.errors).toBeGreaterThan(0);
  });

  it('stops after max requests', async () => {
    const { run, inv } = setup(stepSchedule([{ rateRps: 10, durationS: 5 }]), (c) => new ScriptedInvoker(c, () => quick), {
      limits: { maxInFlight: 100, gracePeriodS: 5, maxRequests: 7 },
    });
    const { stopReason, summary } = await run();
    expect(stopReason).toBe('max_requests');
    expect(inv.sent).toHaveLength(7);
    expect(summary.totals.ok).toBe(7);
  });

  it('on stop, gives in-flight streams the grace period, then cancels them and still writes everything', async () => {
    const stop = new AbortController();
    const slow: Script = { ttftMs: 100, tokens: 100, itlMs: 100 }; // 10 s streams
    const { run, clock, outDir } = setup(stepSchedule([{ rateRps: 2, durationS: 10 }]), (c) => new ScriptedInvoker(c, () => slow), {
      limits: { maxInFlight: 100, gracePeriodS: 1 },
      stopSignal: stop.signal,
    });
    void clock.sleepUntil(T0 + 1500).then(() => stop.abort());
    const { stopReason, summary } = await run();
    expect(stopReason).toBe('interrupted');
    expect(summary.totals.sent).toBe(3); // 0, 0.5, 1.0 s
    expect(summary.totals.cancelled).toBe(3);
    expect(summary.run.endMs).toBeCloseTo(T0 + 2500, 0);
    for (const f of ['run.json', 'latency.hlog', 'timeline.ndjson', 'results.ndjson', 'summary.json']) expect(existsSync(join(outDir, f))).toBe(true);
  });

  it('runs closed-loop users back to back', async () => {
    const base = stepSchedule([{ rateRps: 1, durationS: 1 }]);
    const schedule: Schedule = {
      ...base,
      stages: [{ index: 0, name: 'users', startMs: 0, durationMs: 1000, mode: 'closed', users: 2, description: '2 users' }],
      arrivals: () => [],
      rateAt: () => 0,
    };
    const { run, inv } = setup(schedule, (c) => new ScriptedInvoker(c, () => quick));
    const { summary } = await run();
    // Each user: requests at 0, 180, …, 900 ms → 6 each.
    expect(inv.sent).toHaveLength(12);
    expect(summary.totals.ok).toBe(12);
    expect(new Set(inv.sent.map((s) => s.seq)).size).toBe(12);
    expect(summary.metrics.lag?.maxMs).toBe(0);
  });

  it('hundreds of requests in flight on the shared signals print no listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    const long: Script = { ttftMs: 100, tokens: 10, itlMs: 500 };
    const { run } = setup(stepSchedule([{ rateRps: 200, durationS: 2 }]), (c) => new ScriptedInvoker(c, () => long), {
      limits: { maxInFlight: 1000, gracePeriodS: 10 },
    });
    const { summary } = await run();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(summary.totals.ok).toBe(400);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
