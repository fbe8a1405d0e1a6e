/** Exact tables of planned send times for each traffic shape. */
import { describe, expect, test } from 'vitest';
import { expandSchedule, parseProfile, type PlannedRequest, type Schedule } from '../../src/profile/index.js';

const FIXTURES = 'test/fixtures/profiles';

function schedule(yaml: string): Schedule {
  return expandSchedule(parseProfile(yaml, `${FIXTURES}/inline.yaml`));
}

function arrivals(s: Schedule): PlannedRequest[] {
  return [...s.arrivals()];
}

/** Offsets per stage index. */
function offsetsByStage(s: Schedule): number[][] {
  const out: number[][] = s.stages.map(() => []);
  for (const a of s.arrivals()) out[a.stage]?.push(a.offsetMs);
  return out;
}

function expectClose(actual: number[], expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, digits));
}

describe('constant, uniform', () => {
  test('evenly spaced from the stage start; the grid continues across a rate change', () => {
    const s = schedule(`
stages:
  - { kind: constant, rateRps: 2, durationS: 3 }
  - { kind: constant, rateRps: 4, durationS: 1 }
`);
    expect(offsetsByStage(s)).toEqual([
      [0, 500, 1000, 1500, 2000, 2500],
      [3000, 3250, 3500, 3750],
    ]);
    expect(s.stages.map((st) => st.expectedRequests)).toEqual([6, 4]);
    expect(s.durationMs).toBe(4000);
    expect(arrivals(s).map((a) => a.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('a fractional count carries its phase into the next stage instead of restarting', () => {
    // 0.25 req/s for 10 s expects 2.5 requests: sends at 0, 4 s, 8 s; the next is due at 12 s.
    const s = schedule(`
stages:
  - { kind: constant, rateRps: 0.25, durationS: 10 }
  - { kind: constant, rateRps: 0.25, durationS: 10 }
`);
    expect(offsetsByStage(s)).toEqual([
      [0, 4000, 8000],
      [12000, 16000],
    ]);
    expect(s.stages.map((st) => st.expectedRequests)).toEqual([3, 2]);
  });

  test('rate 0 sends nothing', () => {
    const s = schedule('stages: [{ kind: constant, rateRps: 0, durationS: 5 }]');
    expect(arrivals(s)).toEqual([]);
    expect(s.stages[0]?.expectedRequests).toBe(0);
  });
});

describe('ramp (inversion of the integrated rate)', () => {
  test('0 → 4 req/s over 2 s: Λ(t) = t², sends at √k; then back down from the previous rate', () => {
    const s = schedule(`
stages:
  - { kind: ramp, fromRps: 0, toRps: 4, durationS: 2 }
  - { kind: ramp, toRps: 0, durationS: 2 }
`);
    const [up, down] = offsetsByStage(s);
    expectClose(up ?? [], [0, 1000, Math.SQRT2 * 1000, Math.sqrt(3) * 1000]);
    // Down: Λ(t) = 4t − t², so t = 2 − √(4 − u) for u = 0, 1, 2, 3.
    expectClose(down ?? [], [2000, 2000 + (2 - Math.sqrt(3)) * 1000, 2000 + (2 - Math.SQRT2) * 1000, 3000]);
    expect(s.stages[1]).toMatchObject({ startRateRps: 4, endRateRps: 0, expectedRequests: 4 });
  });

  test('a first ramp without fromRps starts at 0; rateAt follows the line', () => {
    const s = schedule('stages: [{ kind: ramp, toRps: 10, durationS: 10 }]');
    expect(s.stages[0]).toMatchObject({ startRateRps: 0, endRateRps: 10, expectedRequests: 50 });
    expect(s.rateAt(0)).toBe(0);
    expect(s.rateAt(2500)).toBeCloseTo(2.5, 12);
    expect(s.rateAt(10_000)).toBe(0); // after the run
    // Λ(t) = t²/2, so request k goes at √(2k) s.
    expectClose(arrivals(s).slice(0, 4).map((a) => a.offsetMs), [0, Math.sqrt(2) * 1000, 2000, Math.sqrt(6) * 1000]);
  });
});

describe('stairs', () => {
  test('expands to one constant stage per step', () => {
    const s = schedule(`
stages:
  - { kind: stairs, name: up, startRps: 1, stepRps: 1, stepDurationS: 2, steps: 3 }
`);
    expect(s.stages.map((st) => [st.name, st.startMs, st.durationMs, st.startRateRps])).toEqual([
      ['up 1', 0, 2000, 1],
      ['up 2', 2000, 2000, 2],
      ['up 3', 4000, 2000, 3],
    ]);
    const third = 1000 / 3;
    const [a, b, c] = offsetsByStage(s);
    expect(a).toEqual([0, 1000]);
    expect(b).toEqual([2000, 2500, 3000, 3500]);
    expectClose(c ?? [], [4000, 4000 + third, 4000 + 2 * third, 5000, 5000 + third, 5000 + 2 * third]);
  });

  test('steps may go down', () => {
    const s = schedule('stages: [{ kind: stairs, startRps: 3, stepRps: -1, stepDurationS: 1, steps: 3 }]');
    expect(s.stages.map((st) => st.expectedRequests)).toEqual([3, 2, 1]);
  });
});

describe('spike', () => {
  test('base, spike, base', () => {
    const s = schedule(`
stages:
  - { kind: spike, baseRps: 1, spikeRps: 4, spikeStartS: 2, spikeDurationS: 1, durationS: 4 }
`);
    expect(s.stages.map((st) => [st.name, st.startMs, st.durationMs])).toEqual([
      ['spike: before', 0, 2000],
      ['spike: spike', 2000, 1000],
      ['spike: after', 3000, 1000],
    ]);
    expect(offsetsByStage(s)).toEqual([[0, 1000], [2000, 2250, 2500, 2750], [3000]]);
  });

  test('a spike at the start leaves out the empty "before" stage', () => {
    const s = schedule('stages: [{ kind: spike, baseRps: 1, spikeRps: 2, spikeStartS: 0, spikeDurationS: 5, durationS: 10 }]');
    expect(s.stages.map((st) => st.name)).toEqual(['spike: spike', 'spike: after']);
  });
});

describe('sine', () => {
  // λ(t) = 2 − 2·cos(πt/2) (mean 2, amplitude 2, period 4 s, starting at the trough),
  // Λ(t) = 2t − (4/π)·sin(πt/2); the table was solved independently by bisection.
  const table = [0, 1124.487151, 1470.516209, 1746.684055, 2000, 2253.315945, 2529.483791, 2875.512849];

  test('uniform sends at the exact inverse of the integrated rate', () => {
    const s = schedule(`
stages:
  - { kind: sine, meanRps: 2, amplitudeRps: 2, periodS: 4, phaseDeg: -90, durationS: 4 }
`);
    expectClose(arrivals(s).map((a) => a.offsetMs), table, 5);
    expect(s.stages[0]).toMatchObject({ startRateRps: 2, endRateRps: 2, expectedRequests: 8 });
    expect(s.rateAt(0)).toBeCloseTo(0, 12);
    expect(s.rateAt(1000)).toBeCloseTo(2, 12);
    expect(s.rateAt(2000)).toBeCloseTo(4, 12);
  });

  test('a ramp after a sine starts from the rate the sine ends at, not its mean', () => {
    const s = schedule(`
stages:
  - { kind: sine, meanRps: 2, amplitudeRps: 2, periodS: 4, phaseDeg: -90, durationS: 2 }
  - { kind: ramp, toRps: 0, durationS: 2 }
`);
    expect(s.stages[1]?.startRateRps).toBeCloseTo(4, 12);
  });
});

describe('trace replay', () => {
  test('normalizes absolute ms timestamps to 0, sorts, and divides by the speed-up', () => {
    const s = schedule(`
stages:
  - { kind: trace, path: trace-ms.csv, timestampUnit: ms, speedup: 2 }
`);
    expect(arrivals(s).map((a) => [a.offsetMs, a.inputTokens, a.outputTokens])).toEqual([
      [0, 100, 10],
      [250, 200, 20],
      [500, 300, 30],
      [1000, 400, 40],
    ]);
    // Last row at 1 s after the speed-up: the stage lasts until the next whole second.
    expect(s.stages[0]).toMatchObject({ durationMs: 2000, expectedRequests: 4, mode: 'open' });
  });

  test('JSONL with ISO dates and custom column names; durationS cuts the tail', () => {
    const s = schedule(`
stages:
  - kind: trace
    path: trace-iso.jsonl
    columns: { timestamp: time, input: prompt, output: completion }
    durationS: 1
  - { kind: constant, rateRps: 1, durationS: 1 }
`);
    expect(arrivals(s).map((a) => [a.stage, a.offsetMs, a.inputTokens])).toEqual([
      [0, 0, 50],
      [0, 250, 60],
      [1, 1000, 256],
    ]);
    expect(s.stages[0]?.expectedRequests).toBe(2);
  });

  test('rateAt counts trace rows in a 1 s window around the offset', () => {
    const s = schedule('stages: [{ kind: trace, path: trace-ms.csv, timestampUnit: ms, speedup: 2 }]');
    // Scaled rows at 0, 250, 500, 1000 ms: [−500, 500) holds two, [500, 1500) holds two, [250, 1250) three.
    expect(s.rateAt(0)).toBe(2);
    expect(s.rateAt(750)).toBe(3);
    expect(s.rateAt(1000)).toBe(2);
    expect(s.stages[0]?.startRateRps).toBe(2);
  });
});

describe('closed loop', () => {
  test('has users, no arrivals, and seeded per-request specs', () => {
    const s = schedule(`
seed: 3
stages:
  - { kind: closed, users: 8, durationS: 30 }
workload:
  input: { kind: uniform, min: 1, max: 1000000 }
`);
    expect(s.stages[0]).toMatchObject({ mode: 'closed', users: 8, durationMs: 30_000, expectedRequests: undefined });
    expect(arrivals(s)).toEqual([]);
    expect(s.rateAt(1000)).toBe(0);
    expect(s.closedLoopSpec(0, 5)).toEqual(s.closedLoopSpec(0, 5));
    const distinct = new Set(Array.from({ length: 50 }, (_, n) => s.closedLoopSpec(0, n).inputTokens));
    expect(distinct.size).toBeGreaterThan(45);
    expect(() => s.closedLoopSpec(1, 0)).toThrow(RangeError);
  });

  test('closedLoopSpec refuses an open stage', () => {
    const s = schedule('stages: [{ kind: constant, rateRps: 1, durationS: 1 }]');
    expect(() => s.closedLoopSpec(0, 0)).toThrow(/not a closed-loop stage/);
  });
});
