import { describe, expect, it } from 'vitest';
import { estimateClockOffset, shiftCloudTimes } from '../../src/correlate/clock-offset.js';
import { stepUpCloud } from '../fixtures/runs/scenarios.js';

describe('estimateClockOffset (Date headers, 1 s resolution)', () => {
  it('intersects the per-sample bounds and takes the midpoint', () => {
    // Each sample bounds the offset to (date − recv, date + 1000 − sent).
    const samples = [
      { localSentMs: 1000, localRecvMs: 1100, serverDateMs: 5000 }, // [3900, 5000]
      { localSentMs: 1500, localRecvMs: 1550, serverDateMs: 5000 }, // [3450, 4500]
      { localSentMs: 2300, localRecvMs: 2400, serverDateMs: 6000 }, // [3600, 4700]
    ];
    expect(estimateClockOffset(samples)).toEqual({ offsetMs: 4200, lowMs: 3900, highMs: 4500, uncertaintyMs: 300, samples: 3, consistent: true });
  });

  it('tightens with samples at varied sub-second phases', () => {
    // True offset 250 ms, round trip 20 ms, server stamps truncated to the second.
    const samples = Array.from({ length: 50 }, (_, i) => {
      const sent = 10_000 + i * 137;
      const serverAt = sent + 10 + 250;
      return { localSentMs: sent, localRecvMs: sent + 20, serverDateMs: Math.floor(serverAt / 1000) * 1000 };
    });
    const e = estimateClockOffset(samples);
    expect(e?.consistent).toBe(true);
    expect(e && e.lowMs <= 250 && 250 <= e.highMs).toBe(true);
    // One sample alone leaves ±(1000 + 20) / 2 ms; fifty at 137 ms steps leave a few RTTs.
    expect(estimateClockOffset(samples.slice(0, 1))?.uncertaintyMs).toBe(510);
    expect(e?.uncertaintyMs).toBeLessThan(25);
  });

  it('falls back to the median midpoint when samples disagree', () => {
    const samples = [
      { localSentMs: 0, localRecvMs: 100, serverDateMs: 1000 }, // [900, 2000] mid 1450
      { localSentMs: 0, localRecvMs: 100, serverDateMs: 9000 }, // [8900, 10000] mid 9450
      { localSentMs: 0, localRecvMs: 100, serverDateMs: 2000 }, // [1900, 3000] mid 2450
    ];
    expect(estimateClockOffset(samples)).toEqual({ offsetMs: 2450, lowMs: 1450, highMs: 9450, uncertaintyMs: 4000, samples: 3, consistent: false });
  });

  it('is undefined without samples', () => {
    expect(estimateClockOffset([])).toBeUndefined();
  });
});

describe('shiftCloudTimes', () => {
  it('moves AWS-stamped times to the local clock and leaves locally polled ones', () => {
    const cloud = stepUpCloud();
    const shifted = shiftCloudTimes(cloud, 2000);
    expect(shifted.clockOffsetMs).toBe(2000);
    expect(shifted.alarmTransitions[0]?.tMs).toBe((cloud.alarmTransitions[0]?.tMs ?? 0) - 2000);
    expect([shifted.activities[0]?.startMs, shifted.activities[0]?.endMs]).toEqual([
      (cloud.activities[0]?.startMs ?? 0) - 2000,
      (cloud.activities[0]?.endMs ?? 0) - 2000,
    ]);
    expect(shifted.metrics[0]?.points[1]?.tMs).toBe((cloud.metrics[0]?.points[1]?.tMs ?? 0) - 2000);
    expect(shifted.capacity).toEqual(cloud.capacity);
    expect(shifted.window).toEqual(cloud.window);
  });
});
