/** Properties of arrival processes and of the schedule as a whole. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { expandSchedule, parseProfile, type PlannedRequest, type Schedule } from '../../src/profile/index.js';

function schedule(yaml: string, seed?: number): Schedule {
  return expandSchedule(parseProfile(yaml, 'test/fixtures/profiles/inline.yaml', seed === undefined ? {} : { seed }));
}

/** Inter-arrival gaps in seconds. */
function gapsS(arrivals: Iterable<PlannedRequest>): number[] {
  const gaps: number[] = [];
  let previous: number | undefined;
  for (const a of arrivals) {
    if (previous !== undefined) gaps.push((a.offsetMs - previous) / 1000);
    previous = a.offsetMs;
  }
  return gaps;
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('counts', () => {
  test('uniform: a stage from phase 0 holds exactly ⌈rate × duration⌉ requests', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 120 }), (rateTenths, durationS) => {
        const rateRps = rateTenths / 10;
        const s = schedule(`stages: [{ kind: constant, rateRps: ${rateRps}, durationS: ${durationS} }]`);
        expect(s.stages[0]?.expectedRequests).toBe(Math.ceil(rateRps * durationS - 1e-9));
      }),
      { numRuns: 60 },
    );
  });

  test('poisson: requests in a stage ≈ rate × duration (within 4 standard deviations)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = schedule('arrivals: poisson\nstages: [{ kind: constant, rateRps: 20, durationS: 100 }]', seed);
      // Poisson count: mean = variance = 2000.
      expect(Math.abs((s.stages[0]?.expectedRequests ?? 0) - 2000)).toBeLessThan(4 * Math.sqrt(2000));
    }
  });

  test('expectedRequests equals what arrivals() yields, per stage, for any mix of shapes and processes', () => {
    const processArb = fc.constantFrom('uniform', 'poisson', '{ kind: gamma, cv: 2 }', '{ kind: gamma, shape: 4 }');
    const entryArb = fc.oneof(
      fc.record({ r: fc.double({ min: 0, max: 30, noNaN: true }), d: fc.double({ min: 0.1, max: 20, noNaN: true }), p: processArb }).map(
        ({ r, d, p }) => `{ kind: constant, rateRps: ${r}, durationS: ${d}, arrivals: ${p} }`,
      ),
      fc.record({ r: fc.double({ min: 0, max: 30, noNaN: true }), d: fc.double({ min: 0.1, max: 20, noNaN: true }), p: processArb }).map(
        ({ r, d, p }) => `{ kind: ramp, toRps: ${r}, durationS: ${d}, arrivals: ${p} }`,
      ),
      fc.record({ m: fc.double({ min: 0.1, max: 30, noNaN: true }), f: fc.double({ min: 0, max: 1, noNaN: true }), d: fc.double({ min: 0.1, max: 20, noNaN: true }), p: processArb }).map(
        ({ m, f, d, p }) => `{ kind: sine, meanRps: ${m}, amplitudeRps: ${m * f}, periodS: 7, durationS: ${d}, arrivals: ${p} }`,
      ),
      fc.integer({ min: 1, max: 5 }).map((u) => `{ kind: closed, users: ${u}, durationS: 3 }`),
    );
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (entries, seed) => {
        // A ramp right after a closed stage needs fromRps; give every ramp a start to keep the case valid.
        const yaml = `stages:\n${entries.map((e) => `  - ${e.replace('kind: ramp,', 'kind: ramp, fromRps: 1,')}`).join('\n')}`;
        const s = schedule(yaml, seed);
        const counted = s.stages.map(() => 0);
        let previousMs = -Infinity;
        let seq = 0;
        for (const a of s.arrivals()) {
          const stage = s.stages[a.stage];
          if (stage === undefined) throw new Error('arrival in a missing stage');
          counted[a.stage] = (counted[a.stage] ?? 0) + 1;
          expect(a.offsetMs).toBeGreaterThanOrEqual(stage.startMs);
          expect(a.offsetMs).toBeLessThan(stage.startMs + stage.durationMs);
          expect(a.offsetMs).toBeGreaterThanOrEqual(previousMs);
          expect(a.seq).toBe(seq++);
          previousMs = a.offsetMs;
        }
        expect(counted).toEqual(s.stages.map((st) => (st.mode === 'open' ? st.expectedRequests : 0)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('random processes', () => {
  test('poisson inter-arrival times: mean ≈ 1/λ, variance ≈ 1/λ²', () => {
    const s = schedule('arrivals: poisson\nstages: [{ kind: constant, rateRps: 10, durationS: 3000 }]', 17);
    const { mean, variance } = meanVar(gapsS(s.arrivals()));
    expect(mean).toBeCloseTo(0.1, 2);
    expect(Math.abs(mean / 0.1 - 1)).toBeLessThan(0.03);
    expect(Math.abs(variance / 0.01 - 1)).toBeLessThan(0.06);
  });

  test.each([
    ['{ kind: gamma, cv: 2 }', 2],
    ['{ kind: gamma, cv: 0.5 }', 0.5],
    ['{ kind: gamma, shape: 0.25 }', 2],
    ['{ kind: gamma, shape: 1 }', 1],
  ])('gamma %s: inter-arrival CV ≈ %s and mean ≈ 1/λ', (process, cv) => {
    const s = schedule(`stages: [{ kind: constant, rateRps: 10, durationS: 3000, arrivals: ${process} }]`, 23);
    const { mean, variance } = meanVar(gapsS(s.arrivals()));
    expect(Math.abs(mean / 0.1 - 1)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(variance) / mean / cv - 1)).toBeLessThan(0.08);
  });

  test('poisson on a sine (time rescaling): counts per window follow ∫λ', () => {
    // λ(t) = 20 + 15·sin(2πt/100) over 10 periods; compare each tenth of a period, summed over periods.
    const s = schedule('arrivals: poisson\nstages: [{ kind: sine, meanRps: 20, amplitudeRps: 15, periodS: 100, durationS: 1000 }]', 5);
    const bins = new Array<number>(10).fill(0);
    for (const a of s.arrivals()) bins[Math.floor((a.offsetMs / 1000 % 100) / 10)]! += 1;
    bins.forEach((count, b) => {
      // Expected per bin over 10 periods: 10 · ∫ over [10b, 10b+10] of λ.
      const omega = (2 * Math.PI) / 100;
      const integral = 20 * 10 + (15 / omega) * (Math.cos(omega * 10 * b) - Math.cos(omega * 10 * (b + 1)));
      const expected = 10 * integral;
      expect(Math.abs(count - expected)).toBeLessThan(4 * Math.sqrt(expected));
    });
  });

  test('poisson on a ramp: the second half of 0 → λ holds three times the first', () => {
    const s = schedule('arrivals: poisson\nstages: [{ kind: ramp, fromRps: 0, toRps: 40, durationS: 500 }]', 8);
    let first = 0;
    let second = 0;
    for (const a of s.arrivals()) {
      if (a.offsetMs < 250_000) first++;
      else second++;
    }
    // ∫ over the first half = 2500, second half = 7500.
    expect(Math.abs(first - 2500)).toBeLessThan(4 * Math.sqrt(2500));
    expect(Math.abs(second - 7500)).toBeLessThan(4 * Math.sqrt(7500));
  });
});

describe('seeds', () => {
  const yaml = `
arrivals: poisson
stages:
  - { kind: constant, rateRps: 5, durationS: 20 }
  - { kind: sine, meanRps: 5, amplitudeRps: 2, periodS: 10, durationS: 20, arrivals: { kind: gamma, cv: 2 } }
workload:
  input: { kind: lognormal, median: 200, sigma: 0.7 }
  output: { kind: normal, mean: 60, stddev: 20 }
`;

  test('same seed → same schedule; different seed → different schedule', () => {
    const a = [...schedule(yaml, 1).arrivals()];
    expect([...schedule(yaml, 1).arrivals()]).toEqual(a);
    const b = [...schedule(yaml, 2).arrivals()];
    expect(b.map((r) => r.offsetMs)).not.toEqual(a.map((r) => r.offsetMs));
    expect(b.map((r) => r.inputTokens)).not.toEqual(a.map((r) => r.inputTokens));
  });

  test('arrivals() can be iterated again with the same result', () => {
    const s = schedule(yaml, 9);
    expect([...s.arrivals()]).toEqual([...s.arrivals()]);
  });

  test('the profile seed is used unless overridden', () => {
    const fromFile = schedule(`seed: 77\n${yaml}`);
    expect(fromFile.seed).toBe(77);
    expect([...fromFile.arrivals()]).toEqual([...schedule(yaml, 77).arrivals()]);
  });

  test("request k's tokens do not depend on the arrival process or the shape before it", () => {
    const workload = 'workload: { input: { kind: uniform, min: 1, max: 100000 } }';
    const uniform = [...schedule(`stages: [{ kind: constant, rateRps: 10, durationS: 10 }]\n${workload}`, 4).arrivals()];
    const bursty = [
      ...schedule(`stages: [{ kind: ramp, fromRps: 3, toRps: 30, durationS: 10, arrivals: { kind: gamma, cv: 3 } }]\n${workload}`, 4).arrivals(),
    ];
    const n = Math.min(uniform.length, bursty.length);
    expect(n).toBeGreaterThan(50);
    expect(bursty.slice(0, n).map((r) => r.inputTokens)).toEqual(uniform.slice(0, n).map((r) => r.inputTokens));
  });

  test('a stage\'s arrivals do not depend on the processes of earlier stages', () => {
    const later = '  - { kind: constant, rateRps: 5, durationS: 10, arrivals: poisson }';
    const a = schedule(`stages:\n  - { kind: constant, rateRps: 3, durationS: 10, arrivals: poisson }\n${later}`, 6);
    const b = schedule(`stages:\n  - { kind: constant, rateRps: 9, durationS: 10, arrivals: { kind: gamma, cv: 2 } }\n${later}`, 6);
    const stage1 = (s: Schedule): number[] => [...s.arrivals()].filter((r) => r.stage === 1).map((r) => r.offsetMs);
    expect(stage1(a)).toEqual(stage1(b));
  });
});

describe('laziness', () => {
  test('a 1-hour 1000 req/s profile expands without materializing its 3.6M arrivals', () => {
    const s = schedule('arrivals: poisson\nstages: [{ kind: constant, rateRps: 1000, durationS: 3600 }]', 1);
    const expected = s.stages[0]?.expectedRequests ?? 0;
    expect(Math.abs(expected - 3_600_000)).toBeLessThan(4 * Math.sqrt(3_600_000));
    const it = s.arrivals()[Symbol.iterator]();
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ seq: 0, stage: 0 });
    // Walk 1M arrivals: kept in memory they would take > 100 MB; read one at a time, young-generation
    // collections reclaim them and the heap stays flat.
    const heapBefore = process.memoryUsage().heapUsed;
    let last: PlannedRequest | undefined;
    for (let i = 0; i < 1_000_000; i++) last = it.next().value as PlannedRequest;
    expect(last?.seq).toBe(1_000_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
