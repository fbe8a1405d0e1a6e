import { describe, expect, it } from 'vitest';
import { detectSteps } from '../../src/correlate/steps.js';
import type { StagePlan } from '../../src/profile/types.js';

const START = 1_000_000;

/** Stages from [name, from, to, durationS] (null rates = closed loop). */
function plan(rows: [string, number | null, number | null, number][]): StagePlan[] {
  let at = 0;
  return rows.map(([name, from, to, durS], index) => {
    const s: StagePlan = {
      index, name, startMs: at, durationMs: durS * 1000, description: name,
      ...(from === null ? { mode: 'closed' as const, users: 4 } : { mode: 'open' as const, startRateRps: from, endRateRps: to ?? from }),
    };
    at += durS * 1000;
    return s;
  });
}

const brief = (stages: StagePlan[], thresholdPct?: number) =>
  detectSteps({ stages, runStartMs: START, runEndMs: START + stages.reduce((n, s) => n + s.durationMs, 0), ...(thresholdPct !== undefined && { thresholdPct }) }).map(
    (s) => [s.index, s.direction, s.kind, s.offsetS, s.stageIndex, s.fromRps, s.toRps, s.changePct, (s.windowEndMs - START) / 1000, (s.nextStepMs - START) / 1000],
  );

describe('detectSteps (from the plan)', () => {
  it.each([
    ['step up and back', plan([['a', 2, 2, 10], ['b', 8, 8, 20], ['c', 2, 2, 10]]), [
      [0, 'up', 'boundary', 10, 1, 2, 8, 300, 40, 30],
      [1, 'down', 'boundary', 30, 2, 8, 2, -75, 40, 40],
    ]],
    ['below the 25% threshold: none', plan([['a', 4, 4, 10], ['b', 4.9, 4.9, 10]]), []],
    ['exactly 25%: a step', plan([['a', 4, 4, 10], ['b', 5, 5, 10]]), [[0, 'up', 'boundary', 10, 1, 4, 5, 25, 20, 20]]],
    ['from 0: a step up, no %', plan([['idle', 0, 0, 5], ['on', 3, 3, 5]]), [[0, 'up', 'boundary', 5, 1, 0, 3, null, 10, 10]]],
    ['first stage is never a step', plan([['a', 10, 10, 10]]), []],
    ['a ramp steps at its start to its end rate', plan([['a', 2, 2, 10], ['r', 2, 10, 30], ['c', 10, 10, 10]]), [
      [0, 'up', 'ramp', 10, 1, 2, 10, 400, 50, 50],
    ]],
    ['a boundary jump into a ramp is one step to the ramp end', plan([['a', 2, 2, 10], ['r', 4, 8, 10]]), [[0, 'up', 'ramp', 10, 1, 2, 8, 300, 20, 20]]],
    ['closed-loop neighbours are never steps', plan([['a', 2, 2, 10], ['c', null, null, 10], ['b', 9, 9, 10]]), []],
    ['stairs: each rise, window to the next rise', plan([['s1', 2, 2, 10], ['s2', 4, 4, 10], ['s3', 6, 6, 10], ['s4', 2, 2, 10]]), [
      [0, 'up', 'boundary', 10, 1, 2, 4, 100, 20, 20],
      [1, 'up', 'boundary', 20, 2, 4, 6, 50, 40, 30],
      [2, 'down', 'boundary', 30, 3, 6, 2, -66.667, 40, 40],
    ]],
  ])('%s', (_, stages, expected) => {
    expect(brief(stages)).toEqual(expected);
  });

  it('takes a custom threshold', () => {
    expect(brief(plan([['a', 4, 4, 10], ['b', 4.9, 4.9, 10]]), 20)).toEqual([[0, 'up', 'boundary', 10, 1, 4, 4.9, 22.5, 20, 20]]);
  });
});
