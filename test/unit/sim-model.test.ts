import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { parseSimConfig, type ModelConfig, type SimConfigInput } from '../../src/sim/config.js';
import { ServingModel, type FinishReason, type ModelListener, type RejectReason } from '../../src/sim/model.js';

function modelConfig(model: NonNullable<SimConfigInput['model']> = {}): ModelConfig {
  return parseSimConfig({ model }).model;
}

/** A listener that writes down everything it hears. */
function recorder(): ModelListener & {
  admitted: Array<[number, number]>;
  first: number[];
  tokens: Array<[number, number]>;
  ends: Array<[number, number, FinishReason]>;
  rejected: Array<[number, RejectReason]>;
  tokenTimes(): number[];
} {
  const r = {
    admitted: [] as Array<[number, number]>,
    first: [] as number[],
    tokens: [] as Array<[number, number]>,
    ends: [] as Array<[number, number, FinishReason]>,
    rejected: [] as Array<[number, RejectReason]>,
    onAdmitted(tMs: number, copy: number) {
      r.admitted.push([tMs, copy]);
    },
    onFirstToken(tMs: number) {
      r.first.push(tMs);
    },
    onToken(tMs: number, index: number) {
      r.tokens.push([tMs, index]);
    },
    onEnd(tMs: number, info: { outputTokens: number; finishReason: FinishReason }) {
      r.ends.push([tMs, info.outputTokens, info.finishReason]);
    },
    onRejected(tMs: number, reason: RejectReason) {
      r.rejected.push([tMs, reason]);
    },
    tokenTimes: () => r.tokens.map(([t]) => t),
  };
  return r;
}

describe('ServingModel in virtual time', () => {
  it('emits the first token after prefill and then one token per base step (defaults)', async () => {
    const clock = new VirtualClock(1000);
    const model = new ServingModel(modelConfig(), clock);
    const r = recorder();
    model.submit({ id: 'a', inputTokens: 512, maxOutputTokens: 5 }, r);
    expect(r.admitted).toEqual([[1000, 0]]);
    await clock.runUntilIdle();

    // prefill = 40 + 512 × 1000 / 4000 = 168 ms; alone, stepMs = 28.
    expect(r.first).toEqual([1168]);
    expect(r.tokens).toEqual([
      [1168, 0],
      [1196, 1],
      [1224, 2],
      [1252, 3],
      [1280, 4],
    ]);
    expect(r.ends).toEqual([[1280, 5, 'length']]);
    expect(model.groundTruth()).toEqual([
      {
        id: 'a',
        copy: 0,
        arrivalMs: 1000,
        admittedMs: 1000,
        firstTokenMs: 1168,
        lastTokenMs: 1280,
        endMs: 1280,
        inputTokens: 512,
        maxOutputTokens: 5,
        outputTokens: 5,
        outcome: 'ok',
        finishReason: 'length',
      },
    ]);
    expect(model.counts()).toEqual({ submitted: 1, admitted: 1, rejected: 0, completed: 1, cancelled: 0, outputTokens: 5 });
    expect(model.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('queues a request while all slots are full and admits it the instant one frees', async () => {
    const clock = new VirtualClock(0);
    // prefill = 10 + 100 × 1000 / 1000 = 110 ms; step = 20 ms.
    const model = new ServingModel(
      modelConfig({ batchSlots: 1, prefillOverheadMs: 10, prefillTokensPerS: 1000, baseStepMs: 20 }),
      clock,
    );
    const a = recorder();
    const b = recorder();
    model.submit({ id: 'a', inputTokens: 100, maxOutputTokens: 3 }, a);
    await clock.advanceTo(5);
    model.submit({ id: 'b', inputTokens: 100, maxOutputTokens: 3 }, b);
    expect(b.admitted).toEqual([]);
    expect(model.stats()).toMatchObject({ active: 1, queued: 1, copies: [{ copy: 0, active: 1, queued: 1 }] });

    await clock.runUntilIdle();
    expect(a.tokenTimes()).toEqual([110, 130, 150]);
    expect(b.admitted).toEqual([[150, 0]]);
    expect(b.tokenTimes()).toEqual([260, 280, 300]);
    const bTruth = model.groundTruth().find((t) => t.id === 'b');
    expect(bTruth).toMatchObject({ arrivalMs: 5, admittedMs: 150, firstTokenMs: 260, lastTokenMs: 300, endMs: 300 });
  });

  it('slows decode steps as the batch fills: stepMs = base × (1 + slowdown × (active − 1) / (slots − 1))', async () => {
    const clock = new VirtualClock(0);
    // slots 5, base 20, slowdown 1 → stepMs(1) = 20, (2) = 25, (3) = 30; prefill = 10 ms with 0 input tokens.
    const model = new ServingModel(
      modelConfig({ batchSlots: 5, baseStepMs: 20, slowdownAtFullBatch: 1, prefillOverheadMs: 10 }),
      clock,
    );
    const three = [recorder(), recorder(), recorder()];
    three.forEach((r, i) => model.submit({ id: `r${i}`, inputTokens: 0, maxOutputTokens: 3 }, r));
    await clock.runUntilIdle();
    for (const r of three) expect(r.tokenTimes()).toEqual([10, 40, 70]);

    // Two sequences: both step at 25 ms until the short one ends at 35; from that same instant the
    // survivor's step uses the occupancy after the end (1 → 20 ms).
    const short = recorder();
    const long = recorder();
    await clock.advanceTo(1000);
    model.submit({ id: 'short', inputTokens: 0, maxOutputTokens: 2 }, short);
    model.submit({ id: 'long', inputTokens: 0, maxOutputTokens: 4 }, long);
    await clock.runUntilIdle();
    expect(short.tokenTimes()).toEqual([1010, 1035]);
    expect(long.tokenTimes()).toEqual([1010, 1035, 1055, 1075]);
  });

  it('a full default batch of 32 decodes at 50.4 ms per step: ≈635 tok/s aggregate', async () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(modelConfig(), clock);
    const all = Array.from({ length: 32 }, () => recorder());
    all.forEach((r, i) => model.submit({ id: `r${i}`, inputTokens: 512, maxOutputTokens: 3 }, r));
    await clock.runUntilIdle();
    for (const r of all) {
      const [t0, t1, t2] = r.tokenTimes();
      expect(t0).toBe(168);
      expect(t1).toBeCloseTo(168 + 50.4, 9);
      expect(t2).toBeCloseTo(168 + 2 * 50.4, 9);
    }
    expect((32 * 1000) / 50.4).toBeCloseTo(634.92, 2);
  });

  it('routes to the copy with the fewest outstanding requests, ties to the lowest index', async () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(modelConfig({ copies: 2, batchSlots: 4, prefillOverheadMs: 10 }), clock);
    const long = recorder();
    const short = recorder();
    model.submit({ id: 'long', inputTokens: 0, maxOutputTokens: 100 }, long);
    model.submit({ id: 'short', inputTokens: 0, maxOutputTokens: 1 }, short);
    expect(long.admitted).toEqual([[0, 0]]);
    expect(short.admitted).toEqual([[0, 1]]);
    await clock.advanceTo(20); // 'short' ended at 10: copy 0 has 1 outstanding, copy 1 none
    const c = recorder();
    const d = recorder();
    const e = recorder();
    model.submit({ id: 'c', inputTokens: 0, maxOutputTokens: 1 }, c);
    model.submit({ id: 'd', inputTokens: 0, maxOutputTokens: 1 }, d);
    model.submit({ id: 'e', inputTokens: 0, maxOutputTokens: 1 }, e);
    expect([c.admitted[0]?.[1], d.admitted[0]?.[1], e.admitted[0]?.[1]]).toEqual([1, 0, 1]);
    expect(model.stats().copies).toEqual([
      { copy: 0, active: 2, queued: 0 },
      { copy: 1, active: 2, queued: 0 },
    ]);
    model.close();
  });

  it('cancel frees the slot for the next queued request and stops the callbacks', async () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(modelConfig({ batchSlots: 1, prefillOverheadMs: 10, baseStepMs: 20 }), clock);
    const a = recorder();
    const b = recorder();
    const c = recorder();
    const handleA = model.submit({ id: 'a', inputTokens: 0, maxOutputTokens: 100 }, a);
    const handleB = model.submit({ id: 'b', inputTokens: 0, maxOutputTokens: 2 }, b);
    model.submit({ id: 'c', inputTokens: 0, maxOutputTokens: 2 }, c);
    handleB.cancel(); // leaves the queue
    await clock.advanceTo(55); // a: tokens at 10, 30, 50
    handleA.cancel();
    expect(c.admitted).toEqual([[55, 0]]);
    await clock.runUntilIdle();
    expect(a.tokenTimes()).toEqual([10, 30, 50]);
    expect(a.ends).toEqual([]);
    expect(b.admitted).toEqual([]);
    expect(c.tokenTimes()).toEqual([65, 85]);
    const truth = Object.fromEntries(model.groundTruth().map((t) => [t.id, t]));
    expect(truth.a).toMatchObject({ outcome: 'cancelled', endMs: 55, outputTokens: 3, lastTokenMs: 50 });
    expect(truth.b).toMatchObject({ outcome: 'cancelled', endMs: 0, outputTokens: 0 });
    expect(truth.b?.admittedMs).toBeUndefined();
    expect(truth.c).toMatchObject({ outcome: 'ok', admittedMs: 55, endMs: 85 });
    expect(model.counts()).toMatchObject({ submitted: 3, admitted: 2, cancelled: 2, completed: 1, outputTokens: 5 });
  });

  it('rejects at a full queue, synchronously, with queue_full', () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(modelConfig({ batchSlots: 1, maxQueue: 1 }), clock);
    model.submit({ id: 'a', inputTokens: 0, maxOutputTokens: 5 }, recorder());
    model.submit({ id: 'b', inputTokens: 0, maxOutputTokens: 5 }, recorder());
    const c = recorder();
    model.submit({ id: 'c', inputTokens: 0, maxOutputTokens: 5 }, c);
    expect(c.rejected).toEqual([[0, 'queue_full']]);
    expect(model.counts()).toMatchObject({ submitted: 3, admitted: 1, rejected: 1 });
    expect(model.groundTruth()).toEqual([expect.objectContaining({ id: 'c', outcome: 'rejected', rejectReason: 'queue_full' })]);
    model.close();
    expect(model.groundTruth().map((t) => [t.id, t.outcome])).toEqual([
      ['c', 'rejected'],
      ['a', 'closed'],
      ['b', 'closed'],
    ]);
  });

  it('draws EOS lengths from the seed: geometric with mean ≈ 1/p, capped at max', async () => {
    async function lengths(seed: number): Promise<number[]> {
      const clock = new VirtualClock(0);
      const model = new ServingModel(modelConfig({ eosProbabilityPerToken: 0.5, batchSlots: 400 }), clock, seed);
      for (let i = 0; i < 400; i++) model.submit({ id: `r${i}`, inputTokens: 0, maxOutputTokens: 6 }, recorder());
      await clock.runUntilIdle();
      for (const t of model.groundTruth()) expect(t.finishReason).toBe(t.outputTokens < 6 ? 'stop' : 'length');
      return model.groundTruth().map((t) => t.outputTokens);
    }
    const first = await lengths(7);
    expect(await lengths(7)).toEqual(first);
    expect(Math.max(...first)).toBe(6);
    expect(Math.min(...first)).toBe(1);
    // P(len = 1) = 0.5 for a geometric with p = 0.5.
    const ones = first.filter((n) => n === 1).length / first.length;
    expect(ones).toBeGreaterThan(0.42);
    expect(ones).toBeLessThan(0.58);
  });

  it('keeps ground truth bounded: the newest groundTruthLimit records', async () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(modelConfig({ groundTruthLimit: 3 }), clock);
    for (let i = 0; i < 5; i++) model.submit({ id: `r${i}`, inputTokens: 0, maxOutputTokens: 1 + i }, recorder());
    await clock.runUntilIdle();
    expect(model.groundTruth().map((t) => t.id)).toEqual(['r2', 'r3', 'r4']);
    expect(model.groundTruthDropped()).toBe(2);
  });

  it('never exceeds its slots, admits FIFO per copy, and serves every request fully (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 50 }), tokens: fc.integer({ min: 1, max: 8 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (copies, batchSlots, arrivals) => {
          const clock = new VirtualClock(0);
          const model = new ServingModel(modelConfig({ copies, batchSlots, prefillOverheadMs: 5, baseStepMs: 10 }), clock);
          let maxActive = 0;
          let tMs = 0;
          for (const [i, a] of arrivals.entries()) {
            tMs += a.gapMs;
            await clock.advanceTo(tMs);
            model.submit({ id: String(i), inputTokens: 0, maxOutputTokens: a.tokens }, recorder());
            for (const c of model.stats().copies) maxActive = Math.max(maxActive, c.active);
          }
          await clock.runUntilIdle();
          expect(maxActive).toBeLessThanOrEqual(batchSlots);
          const truth = model.groundTruth();
          expect(truth).toHaveLength(arrivals.length);
          for (const t of truth) {
            expect(t.outputTokens).toBe(arrivals[Number(t.id)]?.tokens);
            expect(t.firstTokenMs).toBe((t.admittedMs ?? Number.NaN) + 5);
          }
          for (let copy = 0; copy < copies; copy++) {
            const admitted = truth
              .filter((t) => t.copy === copy)
              .sort((x, y) => Number(x.id) - Number(y.id))
              .map((t) => t.admittedMs ?? Number.NaN);
            expect(admitted).toEqual([...admitted].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
