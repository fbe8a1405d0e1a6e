import { describe, expect, it } from 'vitest';
import type { CloudData } from '../../src/cloud/types.js';
import { costFigures } from '../../src/correlate/cost.js';
import { scalingFigures } from '../../src/correlate/figures.js';
import type { IntervalLatency } from '../../src/correlate/intervals.js';
import { recoveryFigures } from '../../src/correlate/recovery.js';
import { buildTimeline } from '../../src/correlate/timeline.js';
import type { StepDownFigures, StepUpFigures } from '../../src/correlate/types.js';
import { stepUpCloud, stepUpSpec, TTFT_OK_MS, TTFT_SLOW_MS } from '../fixtures/runs/scenarios.js';
import { syntheticRun, T0_MS } from '../fixtures/runs/synthetic.js';

const at = (s: number): number => T0_MS + s * 1000;
const SLO = { slo: { ttftMs: 500 } };

const RUN = syntheticRun(stepUpSpec());

function figures(cloud: CloudData | undefined, options = {}) {
  const { cloud: _, ...rest } = RUN;
  const s = scalingFigures(cloud === undefined ? rest : { ...rest, cloud }, options);
  return { s, up: s.steps[0] as StepUpFigures, down: s.steps[1] as StepDownFigures };
}

describe('scalingFigures on the step-up run', () => {
  it('measures every figure of the step up', () => {
    const { up } = figures(stepUpCloud(), SLO);
    expect(up.direction).toBe('up');
    expect([up.step.offsetS, up.step.fromRps, up.step.toRps]).toEqual([10, 2, 8]);
    expect({
      detectionS: up.detectionS, reactionS: up.reactionS, capacityReadyS: up.capacityReadyS,
      baselineP99Ms: up.baselineP99Ms, recoveryS: up.recoveryS, sloViolationS: up.sloViolationS, excessP99MsS: up.excessP99MsS,
      capacityBefore: up.capacityBefore, capacityTarget: up.capacityTarget,
    }).toEqual({
      detectionS: { value: 12 },
      reactionS: { value: 13 },
      capacityReadyS: { value: 25 },
      baselineP99Ms: { value: TTFT_OK_MS },
      recoveryS: { value: 18 },
      sloViolationS: { value: 18 },
      excessP99MsS: { value: 16207.488 }, // (1000.447 − 100.031) ms × 18 s
      capacityBefore: 1,
      capacityTarget: 2,
    });
    expect(up.instants).toEqual({
      alarmMs: at(22), alarmName: 'AlarmHigh', activityStartMs: at(23), activityId: 'a1', capacityMs: at(35), recoveredMs: at(28),
    });
  });

  it('measures the step down: scale-in detection, reaction, release', () => {
    const { down } = figures(stepUpCloud(), SLO);
    expect([down.direction, down.step.offsetS, down.detectionS, down.reactionS, down.capacityReleasedS, down.capacityBefore, down.capacityTarget]).toEqual([
      'down', 40, { value: 10 }, { value: 12 }, { value: 15 }, 2, 1,
    ]);
  });

  it('integrates cost and records settings, offset and notes', () => {
    const { s } = figures(stepUpCloud(), { ...SLO, pricePerHour: 3.6 });
    expect(s.cost).toEqual({
      unit: 'instance', fromMs: at(0), toMs: at(60), unitSeconds: 80, meanCapacity: 1.333, pricePerHour: 3.6,
      costUsd: { value: 0.08 }, outputTokens: 19200, costPerMillionOutputTokensUsd: { value: 4.166667 },
    });
    expect(s.settings).toEqual({ stepThresholdPct: 25, recoveryMetric: 'ttft', sloMs: 500, recoveryIntervals: 3, baselineTolerancePct: 10 });
    expect(s.clockOffsetMs).toBe(120);
    expect(s.notes).toEqual([]);
  });

  it('without an SLO, recovers against the baseline + 10% and has no SLO seconds', () => {
    const { up } = figures(stepUpCloud());
    expect([up.recoveryS, up.sloViolationS]).toEqual([{ value: 18 }, { value: null, reason: 'no slo.ttftMs in the profile' }]);
  });

  it('needs N consecutive good intervals (more than the step allows → null with reason)', () => {
    const { up } = figures(stepUpCloud(), { slo: { ttftMs: 500, recoveryIntervals: 13 } });
    expect(up.recoveryS).toEqual({
      value: null,
      reason: "p99 ttft not within the SLO (500 ms) for 13 consecutive intervals before the next step or the run's end",
    });
    // Not recovered: debt runs to the next step (+40): intervals 10–27 are over the SLO.
    expect(up.sloViolationS).toEqual({ value: 18 });
  });

  it('gives null figures with reasons, never throws, when data is missing', () => {
    const none = figures(undefined, SLO);
    const noCloud = 'no cloud.json for this run (cloud data not collected: run `scalelab collect`)';
    expect([none.up.detectionS, none.up.reactionS, none.up.capacityReadyS]).toEqual([
      { value: null, reason: noCloud }, { value: null, reason: noCloud }, { value: null, reason: noCloud },
    ]);
    expect(none.up.recoveryS).toEqual({ value: 18 }); // latency alone suffices
    expect(none.s.cost).toBeUndefined();
    expect(none.s.notes).toEqual([noCloud]);

    const empty: CloudData = { ...stepUpCloud(), alarms: [], alarmTransitions: [], activities: [], capacity: [] };
    const e = figures(empty, SLO);
    expect([e.up.detectionS, e.up.reactionS, e.up.capacityReadyS, e.down.capacityReleasedS]).toEqual([
      { value: null, reason: 'no scale-out alarm in cloud.json (alarms not read, or the policy has none)' },
      { value: null, reason: 'no scaling activities in cloud.json' },
      { value: null, reason: 'no capacity samples in cloud.json' },
      { value: null, reason: 'no capacity samples in cloud.json' },
    ]);
    expect(e.s.notes).toEqual(['no capacity samples in cloud.json: no cost']);
  });

  it('says when the scale-out alarm was already in ALARM at t0', () => {
    const cloud = stepUpCloud();
    cloud.alarmTransitions = [{ alarmName: 'AlarmHigh', tMs: at(5), from: 'OK', to: 'ALARM', summary: '' }];
    expect(figures(cloud, SLO).up.detectionS).toEqual({
      value: null,
      reason: 'no scale-out alarm transition to ALARM after t0 (AlarmHigh was already in ALARM at t0)',
    });
  });

  it('falls back to the activity end without capacity samples; to samples without activities', () => {
    const noSamples = figures({ ...stepUpCloud(), capacity: [] }, SLO);
    expect([noSamples.up.capacityReadyS, noSamples.up.capacityTarget, noSamples.down.capacityReleasedS]).toEqual([{ value: 25 }, 2, { value: 16 }]);

    const noActivities = figures({ ...stepUpCloud(), activities: [] }, SLO);
    expect([noActivities.up.reactionS, noActivities.up.capacityReadyS, noActivities.up.capacityTarget]).toEqual([
      { value: null, reason: 'no scaling activities in cloud.json' }, { value: 25 }, 2,
    ]);
    expect(noActivities.down.capacityReleasedS).toEqual({ value: 15 });
  });

  it('ignores activities that did not scale or went the other way', () => {
    const cloud = stepUpCloud();
    cloud.activities.unshift(
      { activityId: 'n', startMs: at(11), statusCode: 'Successful', description: '', cause: 'AlarmHigh', toCapacity: 2, notScaledReasons: ['MaxCapacityReached'] },
      { activityId: 'd', startMs: at(12), statusCode: 'Successful', description: '', cause: 'x', toCapacity: 0 },
    );
    expect(figures(cloud, SLO).up.instants.activityId).toBe('a1');
  });

  it('reports no step when the plan is flat', () => {
    const run = syntheticRun(stepUpSpec({ stages: [{ name: 'flat', rateRps: 2, durationS: 60 }] }));
    const s = scalingFigures(run);
    expect(s.steps).toEqual([]);
    expect(s.notes).toEqual(['no step in the planned load (a change of at least 25% between stages)']);
  });
});

describe('recoveryFigures', () => {
  /** Intervals of 1 s from t=0: [p99 or null, failed]. */
  const iv = (rows: [number | null, number][]): IntervalLatency[] =>
    rows.map(([p99, failed], k) => ({ startMs: k * 1000, endMs: (k + 1) * 1000, p50Ms: p99, p90Ms: p99, p99Ms: p99, ok: p99 === null ? 0 : 1, failed }));
  const base = { t0Ms: 3000, preStartMs: 0, nextStepMs: 12_000, metric: 'ttft', sloMs: 200, recoveryIntervals: 2, baselineTolerancePct: 10 };

  it.each([
    ['never degraded → 0', [[100, 0], [100, 0], [100, 0], [150, 0], [150, 0], [150, 0]], 0, 0, 0],
    ['bad, then good', [[100, 0], [100, 0], [100, 0], [300, 0], [300, 0], [150, 0], [150, 0]], 2, 2, 400],
    ['a good interval alone does not recover', [[100, 0], [100, 0], [100, 0], [300, 0], [150, 0], [300, 0], [150, 0], [150, 0]], 3, 2, 450],
    ['empty intervals are skipped', [[100, 0], [100, 0], [100, 0], [300, 0], [150, 0], [null, 0], [150, 0]], 1, 1, 200],
    ['failures without latency are bad', [[100, 0], [100, 0], [100, 0], [null, 5], [150, 0], [150, 0]], 1, 1, 0],
    // The queue builds for a few intervals before latency climbs: those first good intervals are not a recovery.
    ['good while the queue builds, then bad, then good', [[100, 0], [100, 0], [100, 0], [150, 0], [150, 0], [150, 0], [300, 0], [400, 0], [150, 0], [150, 0]], 5, 2, 650],
  ] as [string, [number | null, number][], number, number, number][])('%s', (_, rows, recoveryS, violationS, excess) => {
    const r = recoveryFigures({ ...base, intervals: iv(rows) });
    expect([r.baselineP99Ms, r.recoveryS, r.sloViolationS, r.excessP99MsS]).toEqual([{ value: 100 }, { value: recoveryS }, { value: violationS }, { value: excess }]);
  });

  it('without SLO or baseline, says why', () => {
    const r = recoveryFigures({ ...base, sloMs: null, intervals: iv([[null, 0], [null, 0], [null, 0], [300, 0]]) });
    expect([r.baselineP99Ms, r.recoveryS, r.excessP99MsS]).toEqual([
      { value: null, reason: 'no interval with a ttft sample in the stage before t0' },
      { value: null, reason: 'no SLO for ttft and no pre-step baseline to compare with' },
      { value: null, reason: 'no interval with a ttft sample in the stage before t0' },
    ]);
  });

  it('uses the median of the pre-step p99s as the baseline', () => {
    const r = recoveryFigures({ ...base, sloMs: null, intervals: iv([[100, 0], [400, 0], [120, 0], [125, 0], [131, 0], [132, 0]]) });
    // baseline 120, limit 132: 125 and 131 are good from +0.
    expect([r.baselineP99Ms, r.recoveryS]).toEqual([{ value: 120 }, { value: 0 }]);
  });
});

describe('costFigures', () => {
  const cloud = (capacity: [number, number][], kind: 'variant' | 'inference-component' = 'variant'): CloudData => ({
    ...stepUpCloud(),
    resource: { ...stepUpCloud().resource, kind },
    capacity: capacity.map(([s, current]) => ({ tMs: s * 1000, desired: current, current })),
  });

  it.each([
    ['one sample holds over the window', [[5, 2]], 0, 100, 200],
    ['step function, samples before the window count', [[-10, 1], [30, 3], [60, 2]], 0, 100, 30 + 90 + 80],
    ['samples after the window are ignored', [[0, 1], [100, 9]], 0, 100, 100],
  ] as [string, [number, number][], number, number, number][])('%s', (_, samples, fromS, toS, unitSeconds) => {
    expect(costFigures({ cloud: cloud(samples), fromMs: fromS * 1000, toMs: toS * 1000, outputTokens: 1e6 })?.unitSeconds).toBe(unitSeconds);
  });

  it('prices per copy-hour and per million output tokens', () => {
    const c = costFigures({ cloud: cloud([[0, 2]], 'inference-component'), fromMs: 0, toMs: 1_800_000, outputTokens: 500_000, pricePerHour: 1.5 });
    expect([c?.unit, c?.unitSeconds, c?.costUsd, c?.costPerMillionOutputTokensUsd]).toEqual(['copy', 3600, { value: 1.5 }, { value: 3 }]);
  });

  it('without a price or tokens, null with reasons; without samples, none', () => {
    const c = costFigures({ cloud: cloud([[0, 1]]), fromMs: 0, toMs: 1000, outputTokens: 0 });
    expect([c?.costUsd, c?.costPerMillionOutputTokensUsd]).toEqual([
      { value: null, reason: 'no price per hour given' },
      { value: null, reason: 'no price per hour given' },
    ]);
    expect(costFigures({ cloud: cloud([[0, 1]]), fromMs: 0, toMs: 1000, outputTokens: 0, pricePerHour: 1 })?.costPerMillionOutputTokensUsd).toEqual({
      value: null,
      reason: 'no output tokens in the run',
    });
    expect(costFigures({ cloud: cloud([]), fromMs: 0, toMs: 1000, outputTokens: 0 })).toBeUndefined();
  });
});

describe('buildTimeline', () => {
  const t = buildTimeline(RUN);

  it('aligns one entry per interval', () => {
    expect(t.tMs.length).toBe(60);
    expect([t.tMs[0], t.offsetS[59], t.lengthS[0], t.intervalMs]).toEqual([T0_MS, 59, 1, 1000]);
    expect([t.offeredRps[0], t.offeredRps[10], t.sentRps[12], t.okRps[12], t.inFlight[10]]).toEqual([2, 8, 9, 8, 8]);
  });

  it('has p50/p90/p99 per interval from the interval histograms', () => {
    expect([t.latency.ttft.p90[9], t.latency.ttft.p99[10], t.latency.ttft.p50[28]]).toEqual([TTFT_OK_MS, TTFT_SLOW_MS, TTFT_OK_MS]);
  });

  it('lines up errors by kind, capacity and cloud events', () => {
    expect(Object.keys(t.errorsByKind)).toEqual(['throttled', 'timeout']);
    expect(t.errorsByKind.throttled?.slice(11, 16)).toEqual([0, 1, 1, 1, 0]);
    expect([t.errors[20], t.errorsByKind.timeout?.[20]]).toEqual([1, 1]);
    expect([t.capacityCurrent[0], t.capacityCurrent[34], t.capacityCurrent[35]]).toEqual([1, 2, 2]);
    expect(t.capacity?.current.length).toBe(13);
    expect(t.alarms.map((a) => [a.alarmName, a.role, a.to])).toEqual([
      ['AlarmLow', 'scale-in', 'OK'], ['AlarmHigh', 'scale-out', 'ALARM'], ['AlarmHigh', 'scale-out', 'OK'], ['AlarmLow', 'scale-in', 'ALARM'],
    ]);
    expect(t.activities.map((a) => [a.toCapacity, a.endMs])).toEqual([[2, at(35)], [1, at(56)]]);
    expect(t.metrics[0]?.value).toEqual([2, 8, 8, 8, 2, 2]);
    expect(t.steps).toEqual([
      { t0Ms: at(10), direction: 'up', fromRps: 2, toRps: 8 },
      { t0Ms: at(40), direction: 'down', fromRps: 8, toRps: 2 },
    ]);
    expect(t.stages.map((s) => [s.name, (s.endMs - s.startMs) / 1000])).toEqual([['baseline', 10], ['step', 30], ['recovery', 20]]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });
});
