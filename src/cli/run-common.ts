/** What `run` and `simulate` share: a profile's limits and run info turned into RunOptions. */
import type { Clock } from '../lib/clock.js';
import { hostInfo, toolVersion } from '../lib/version.js';
import type { Profile } from '../profile/index.js';
import { profileHash } from '../profile/hash.js';
import { shardMaxInFlight, shareOf, WHOLE, type ShardSpec } from '../runner/shard.js';
import type { Schedule } from '../profile/types.js';
import type { RunOptions } from '../runner/run.js';
import type { RunInfo } from '../record/summary.js';
import type { Invoker } from '../targets/types.js';

export interface ProfileRunInput {
  profile: Profile;
  profilePath: string;
  schedule: Schedule;
  invoker: Invoker;
  clock: Clock;
  outDir: string;
  target: RunInfo['target'];
  /** Extra facts for run.json (time scale, virtual time, simulator config…). */
  extra?: Record<string, unknown>;
  /** The instant to start at (epoch ms); default now plus a short lead. */
  startAtMs?: number;
  /** Send this share of the schedule, starting at the instant every shard starts at. */
  shard?: ShardSpec & { startAtMs: number };
}

export function runOptionsFor(i: ProfileRunInput): RunOptions {
  const { profile, schedule } = i;
  const shard = i.shard ?? WHOLE;
  const startAtMs = i.shard?.startAtMs ?? i.startAtMs;
  return {
    schedule,
    invoker: i.invoker,
    clock: i.clock,
    outDir: i.outDir,
    limits: {
      maxInFlight: shardMaxInFlight(profile.limits.maxInFlight, shard),
      // Open loop, the shares of the first maxRequests arrivals are exactly what each shard sends first.
      ...(profile.limits.maxRequests !== undefined && { maxRequests: shareOf(profile.limits.maxRequests, shard) }),
      ...(profile.limits.maxDurationS !== undefined && { maxDurationS: profile.limits.maxDurationS }),
      ...(profile.limits.abortOnErrorRate !== undefined && { abortOnErrorRate: profile.limits.abortOnErrorRate }),
      gracePeriodS: profile.gracePeriodS,
    },
    intervalMs: profile.recording.intervalMs,
    writeResults: profile.recording.results,
    runInfo: {
      tool: { name: 'scalelab', version: toolVersion() },
      ...hostInfo(),
      profile: { name: profile.name, path: i.profilePath, seed: schedule.seed, expanded: profile },
      plan: { durationMs: schedule.durationMs, stages: schedule.stages },
      target: i.target,
      intervalMs: profile.recording.intervalMs,
      ...(i.extra && { extra: i.extra }),
      ...(i.shard && {
        shard: {
          index: i.shard.index,
          count: i.shard.count,
          profileHash: profileHash(profile),
          startAtMs: i.shard.startAtMs,
          maxInFlight: shardMaxInFlight(profile.limits.maxInFlight, shard),
        },
      }),
    },
    ...(startAtMs !== undefined && { startAtMs }),
  };
}
