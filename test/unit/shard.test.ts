/** Shard split: the shards' shares are disjoint and their union is the whole schedule, open and closed loop. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { expandSchedule, parseProfile } from '../../src/profile/index.js';
import { profileHash } from '../../src/profile/hash.js';
import { executeRun } from '../../src/runner/run.js';
import {
  closedRequestNumber, ownsArrival, parseShardSpec, parseStartAt, shardMaxInFlight, shareOf, type ShardSpec,
} from '../../src/runner/shard.js';
import type { Schedule } from '../../src/profile/types.js';
import { ScriptedInvoker } from '../helpers/scripted-invoker.js';
import { driveVirtual } from '../helpers/virtual-run.js';

const T0 = 1_800_000_000_000;
const shardsOf = (n: number): ShardSpec[] => Array.from({ length: n }, (_, index) => ({ index, count: n }));

const PROFILE = `name: split
seed: 11
arrivals: { kind: poisson }
stages:
  - { kind: constant, rateRps: 7, durationS: 3 }
  - { kind: closed, users: 5, durationS: 1 }
  - { kind: ramp, fromRps: 2, toRps: 13, durationS: 4 }
`;

describe('shard split (pure)', () => {
  it('open loop: every arrival of a real schedule belongs to exactly one shard, at its planned instant', () => {
    const schedule = expandSchedule(parseProfile(PROFILE, 'split.yaml'));
    const whole = [...schedule.arrivals()];
    expect(whole.length).toBeGreaterThan(40);
    for (const n of [1, 2, 3, 4, 7]) {
      const shares = shardsOf(n).map((s) => whole.filter((a) => ownsArrival(a.seq, s)));
      const union = shares.flat().sort((a, b) => a.seq - b.seq);
      expect(union).toEqual(whole);
      expect(new Set(union.map((a) => a.seq)).size).toBe(whole.length);
      // Round-robin: each shard's share within one request of 1/N.
      for (const share of shares) expect(Math.abs(share.length - whole.length / n)).toBeLessThan(1);
    }
  });

  it('closed loop: users split u % N (some shards may get none), request numbers never collide', () => {
    for (const [users, n] of [[5, 3], [2, 4], [8, 4], [1, 1]] as const) {
      const shares = shardsOf(n).map((s) => shareOf(users, s));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(users);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      const numbers = shardsOf(n).flatMap((s) => Array.from({ length: 10 }, (_, k) => closedRequestNumber(k, s)));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(Math.max(...numbers)).toBe(10 * n - 1);
    }
    expect(shardsOf(4).map((s) => shareOf(2, s))).toEqual([1, 1, 0, 0]);
  });

  it('limits: maxInFlight rounds up, a request cap splits exactly', () => {
    expect(shardsOf(4).map((s) => shardMaxInFlight(10, s))).toEqual([3, 3, 3, 3]);
    expect(shardsOf(3).map((s) => shareOf(10, s))).toEqual([4, 3, 3]);
  });

  it('parses --shard and --start-at, refusing nonsense and a start already past', () => {
    expect(parseShardSpec('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '-1/4', '1', '1/0', 'a/b']) expect(() => parseShardSpec(bad)).toThrow(/--shard/);
    expect(parseStartAt(String(T0), T0 - 5000)).toBe(T0);
    expect(parseStartAt(new Date(T0).toISOString(), T0)).toBe(T0);
    expect(parseStartAt(String(T0), T0 + 500)).toBe(T0); // a little late: allowed
    expect(() => parseStartAt(String(T0), T0 + 5000)).toThrow(/5\.0 s ago/);
    expect(() => parseStartAt('tomorrow', T0)).toThrow(/ISO 8601/);
  });

  it('the profile hash depends on the profile and seed, not on where the file is', () => {
    const a = profileHash(parseProfile(PROFILE, '/a/split.yaml'));
    expect(profileHash(parseProfile(PROFILE, '/elsewhere/split.yaml'))).toBe(a);
    expect(profileHash(parseProfile(PROFILE, '/a/split.yaml', { seed: 12 }))).not.toBe(a);
    expect(profileHash(parseProfile(PROFILE.replace('rateRps: 7', 'rateRps: 8'), '/a/split.yaml'))).not.toBe(a);
  });
});

/** Runs one shard of `schedule` in virtual time against a scripted server; returns the seqs it sent. */
async function runShard(schedule: Schedule, shard: ShardSpec): Promise<{ seqs: number[]; ok: number; skewMs: number | undefined }> {
  const clock = new VirtualClock(T0 - 1000);
  const invoker = new ScriptedInvoker(clock, () => ({ ttftMs: 50, tokens: 4, itlMs: 10 }));
  const { summary } = await driveVirtual(
    clock,
    executeRun({
      schedule, invoker, clock,
      outDir: mkdtempSync(join(tmpdir(), 'scalelab-shard-')),
      limits: { maxInFlight: 100, gracePeriodS: 5 },
      intervalMs: 1000,
      writeResults: false,
      startAtMs: T0,
      runInfo: {
        tool: { name: 'scalelab', version: 'test' }, node: process.version, host: 'test',
        profile: { name: 'split', path: 'split.yaml', seed: schedule.seed, expanded: {} },
        plan: { durationMs: schedule.durationMs, stages: schedule.stages }, target: { kind: 'scripted' }, intervalMs: 1000,
        shard: { ...shard, profileHash: 'h', startAtMs: T0, maxInFlight: 100 },
      },
    }),
  );
  return { seqs: invoker.sent.map((s) => s.seq), ok: summary.totals.ok, skewMs: summary.run.shard?.measuredStartSkewMs };
}

describe('sharded scheduler (virtual time)', () => {
  it('three shards send exactly the open-loop arrivals of one run, and split the closed-loop users', async () => {
    const schedule = expandSchedule(parseProfile(PROFILE, 'split.yaml'));
    const planned = [...schedule.arrivals()].map((a) => a.seq);
    const closedBase = planned.length;
    const runs = await Promise.all(shardsOf(3).map((s) => runShard(schedule, s)));
    const open = runs.flatMap((r) => r.seqs.filter((q) => q < closedBase)).sort((a, b) => a - b);
    expect(open).toEqual(planned);
    const closed = runs.flatMap((r) => r.seqs.filter((q) => q >= closedBase));
    expect(new Set(closed).size).toBe(closed.length);
    // 5 users over 3 shards: 2, 2, 1; each request takes 80 ms, so a user sends ceil(1000 / 80) = 13 in the 1 s stage.
    expect(runs.map((r) => r.seqs.filter((q) => q >= closedBase).length)).toEqual([26, 26, 13]);
    // Virtual time wakes exactly on the instant.
    for (const r of runs) expect(r.skewMs).toBe(0);
  });
});
