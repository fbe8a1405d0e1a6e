/** The capacity model in virtual time: provisioning phases, placement on instances with room, drains, scale to zero. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { ComponentCapacity, InstancePool, VariantCapacity } from '../../src/sim/capacity.js';
import { parseSimConfig } from '../../src/sim/config.js';
import { ServingModel, type ModelListener, type RejectReason } from '../../src/sim/model.js';

const PHASES = { launchS: 60, imagePullS: 150, modelDownloadS: 60, modelLoadS: 45 };
const model = (clock: VirtualClock, copies: number): ServingModel =>
  new ServingModel({ ...parseSimConfig({ model: { batchSlots: 4, prefillOverheadMs: 10, prefillTokensPerS: 1e9, baseStepMs: 100, slowdownAtFullBatch: 0 } }).model, copies }, clock);

function listener(): ModelListener & { ends: number[]; rejected: RejectReason[] } {
  const l = {
    ends: [] as number[],
    rejected: [] as RejectReason[],
    onToken: () => undefined,
    onEnd: (tMs: number) => void l.ends.push(tMs),
    onRejected: (_t: number, r: RejectReason) => void l.rejected.push(r),
  };
  return l;
}

describe('VariantCapacity', () => {
  it('brings a new instance into service after launch + image pull + download + load, then routes to it', async () => {
    const clock = new VirtualClock(0);
    const m = model(clock, 1);
    const v = new VariantCapacity({ endpoint: 'e', variant: 'AllTraffic', instanceType: 'ml.g5.2xlarge', copiesPerInstance: 1, initialInstanceCount: 1, model: m, clock, phases: PHASES });
    const seen: Array<[number, number]> = [];
    v.onCapacityChange((c) => seen.push([clock.nowMs(), c]));
    v.setDesiredCapacity(3);
    expect(v.desiredCapacity()).toBe(3);
    expect(v.currentCapacity()).toBe(1);
    expect(v.status()).toBe('Updating');
    await clock.advanceTo(60_000);
    expect(v.instancePhases()).toEqual(['InService', 'PullingImage', 'PullingImage']);
    await clock.advanceTo(314_999);
    expect(v.currentCapacity()).toBe(1);
    expect(m.servingCopies()).toEqual([0]);
    await clock.advanceTo(315_000);
    expect(v.currentCapacity()).toBe(3);
    expect(seen).toEqual([[315_000, 2], [315_000, 3]]);
    expect(m.servingCopies()).toEqual([0, 1, 2]);
    expect(v.status()).toBe('InService');
  });

  it('drains on scale-in: the removed instance takes no new requests and goes when its last request ends', async () => {
    const clock = new VirtualClock(0);
    const m = model(clock, 2);
    const v = new VariantCapacity({ endpoint: 'e', variant: 'v', instanceType: 'ml.g5.2xlarge', copiesPerInstance: 1, initialInstanceCount: 2, model: m, clock, phases: PHASES });
    const a = listener();
    m.submit({ id: 'a', inputTokens: 0, maxOutputTokens: 1 }, a); // copy 0, ends at 10
    const b = listener();
    m.submit({ id: 'b', inputTokens: 0, maxOutputTokens: 11 }, b); // copy 1, ends at 10 + 10 × 100
    v.setDesiredCapacity(1); // newest first: instance of copy 1 drains
    expect(v.currentCapacity()).toBe(2);
    expect(m.stats().copies).toEqual([{ copy: 0, active: 1, queued: 0 }, { copy: 1, active: 1, queued: 0, draining: true }]);
    await clock.advanceTo(20);
    const c = listener();
    m.submit({ id: 'c', inputTokens: 0, maxOutputTokens: 1 }, c);
    expect(m.stats().copies[1]?.active).toBe(1); // c went to copy 0 although copy 1 has as many
    await clock.advanceTo(1009);
    expect(v.currentCapacity()).toBe(2);
    await clock.advanceTo(1010);
    expect(b.ends).toEqual([1010]);
    expect(v.currentCapacity()).toBe(1);
    expect(m.servingCopies()).toEqual([0]);
    expect(v.history().map((s) => [s.tMs, s.desired, s.current])).toEqual([
      [0, 2, 2],
      [0, 1, 2],
      [1010, 1, 1],
    ]);
  });

  it('cancels an instance still provisioning before draining one in service', async () => {
    const clock = new VirtualClock(0);
    const m = model(clock, 1);
    const v = new VariantCapacity({ endpoint: 'e', variant: 'v', instanceType: 'ml.g5.2xlarge', copiesPerInstance: 1, initialInstanceCount: 1, model: m, clock, phases: PHASES });
    v.setDesiredCapacity(2);
    await clock.advanceTo(100_000);
    v.setDesiredCapacity(1);
    expect(v.instancePhases()).toEqual(['InService']);
    await clock.advanceTo(400_000);
    expect(v.currentCapacity()).toBe(1);
    expect(() => v.setDesiredCapacity(0)).toThrow(/at least 1/);
  });
});

describe('ComponentCapacity on an InstancePool', () => {
  const setup = (gpus: number, opts: { min?: number; max?: number; initialInstances?: number; initialCopies?: number } = {}) => {
    const clock = new VirtualClock(0);
    const pool = new InstancePool({
      endpoint: 'e',
      instanceType: 'x',
      gpusPerInstance: gpus,
      minInstanceCount: opts.min ?? 1,
      maxInstanceCount: opts.max ?? 4,
      initialInstanceCount: opts.initialInstances ?? 1,
      clock,
      phases: PHASES,
    });
    const m = model(clock, 0);
    const ic = new ComponentCapacity({ endpoint: 'e', component: 'ic', acceleratorsPerCopy: 1, initialCopyCount: opts.initialCopies ?? 1, model: m, pool, clock, phases: PHASES });
    return { clock, pool, m, ic };
  };

  it('places a copy on an instance with room (model load only), else launches an instance first', async () => {
    const { clock, pool, ic } = setup(2);
    expect(ic.currentCapacity()).toBe(1);
    ic.setDesiredCapacity(3);
    expect(pool.desiredInstanceCount()).toBe(2);
    expect(ic.copyPhases()).toEqual(['InService', 'LoadingModel', 'Launching']);
    await clock.advanceTo(45_000);
    expect(ic.currentCapacity()).toBe(2); // room on the instance: 45 s
    await clock.advanceTo(314_999);
    expect(ic.currentCapacity()).toBe(2);
    await clock.advanceTo(315_000);
    expect(ic.currentCapacity()).toBe(3); // new instance: 60 + 150 + 60, then the 45 s load
    expect(pool.currentInstanceCount()).toBe(2);
    // Scale-in: the newest copy drains (idle: at once) and its instance goes with it.
    ic.setDesiredCapacity(2);
    expect(ic.currentCapacity()).toBe(2);
    expect(pool.desiredInstanceCount()).toBe(1);
  });

  it('scales to zero: requests get no_capacity; the instance goes down to the pool minimum 0; back from zero takes a new instance', async () => {
    const { clock, pool, m, ic } = setup(1, { min: 0 });
    ic.setDesiredCapacity(0);
    expect(ic.currentCapacity()).toBe(0);
    expect(pool.desiredInstanceCount()).toBe(0);
    const r = listener();
    m.submit({ id: 'x', inputTokens: 0, maxOutputTokens: 1 }, r);
    expect(r.rejected).toEqual(['no_capacity']);
    ic.setDesiredCapacity(1);
    await clock.advanceTo(314_999);
    expect(ic.currentCapacity()).toBe(0);
    await clock.advanceTo(315_000);
    expect(ic.currentCapacity()).toBe(1);
    const ok = listener();
    m.submit({ id: 'y', inputTokens: 0, maxOutputTokens: 1 }, ok);
    await clock.advanceTo(316_000);
    expect(ok.ends).toEqual([315_010]);
  });

  it('waits for room when the pool is at its maximum, and places the copy once a copy goes', async () => {
    const { clock, ic } = setup(1, { max: 1 });
    ic.setDesiredCapacity(2);
    expect(ic.copyPhases()).toEqual(['InService', 'Pending']);
    await clock.advanceTo(1_000_000);
    expect(ic.currentCapacity()).toBe(1);
  });
});
