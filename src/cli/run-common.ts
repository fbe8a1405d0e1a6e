/** What `run` and `simulate` share: a profile's limits and run info turned into RunOptions. */
import type { Clock } from '../lib/clock.js';
import { hostInfo, toolVersion } from '../lib/version.js';
import type { Profile } from '../profile/index.js';
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
}

export function runOptionsFor(i: ProfileRunInput): RunOptions {
  const { profile, schedule } = i;
  return {
    schedule,
    invoker: i.invoker,
    clock: i.clock,
    outDir: i.outDir,
    limits: {
      maxInFlight: profile.limits.maxInFlight,
      ...(profile.limits.maxRequests !== undefined && { maxRequests: profile.limits.maxRequests }),
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
    },
  };
}
