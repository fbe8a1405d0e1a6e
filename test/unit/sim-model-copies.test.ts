/** ServingModel copies that come and go: routing skips draining copies, concurrency windows, no capacity. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { parseSimConfig } from '../../src/sim/config.js';
import { ServingModel, type ModelListener, type RejectReason } from '../../src/sim/model.js';

const config = (copies: number) => ({ ...parseSimConfig({ model: { batchSlots: 1, prefillOverheadMs: 10, prefillTokensPerS: 1e9, baseStepMs: 100, slowdownAtFullBatch: 0 } }).model, copies });
const sink = (): ModelListener & { rejected: RejectReason[] } => {
  const l = { rejected: [] as RejectReason[], onToken: () => undefined, onEnd: () => undefined, onRejected: (_t: number, r: RejectReason) => void l.rejected.push(r) };
  return l;
};

describe('ServingModel copies', () => {
  it('tracks each copy’s max and min outstanding (queued included) per window, removed copies in their last window', async () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(config(1), clock);
    expect(model.takeConcurrency()).toEqual([{ copy: 0, max: 0, min: 0 }]);
    model.submit({ id: 'a', inputTokens: 0, maxOutputTokens: 1 }, sink()); // ends at 10
    model.submit({ id: 'b', inputTokens: 0, maxOutputTokens: 1 }, sink()); // queued (1 slot), runs 10–20
    await clock.advanceTo(15);
    expect(model.takeConcurrency()).toEqual([{ copy: 0, max: 2, min: 0 }]); // the window began empty, at 0
    const added = model.addCopy();
    expect(added).toBe(1);
    model.drainCopy(0);
    expect(model.servingCopies()).toEqual([1]);
    await clock.advanceTo(30);
    expect(model.servingCopies()).toEqual([1]);
    expect(model.stats().copies).toEqual([{ copy: 1, active: 0, queued: 0 }]);
    expect(model.takeConcurrency()).toEqual([
      { copy: 0, max: 1, min: 0 },
      { copy: 1, max: 0, min: 0 },
    ]);
  });

  it('rejects with no_capacity when no copy takes requests, and counts it as rejected', () => {
    const clock = new VirtualClock(0);
    const model = new ServingModel(config(0), clock);
    const l = sink();
    model.submit({ id: 'x', inputTokens: 0, maxOutputTokens: 1 }, l);
    expect(l.rejected).toEqual(['no_capacity']);
    expect(model.groundTruth()[0]).toMatchObject({ copy: -1, outcome: 'rejected', rejectReason: 'no_capacity' });
    expect(model.counts().rejected).toBe(1);
  });
});
