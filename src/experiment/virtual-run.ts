/**
 * A profile run against a simulated world in virtual time, shared by `scalelab simulate` and
 * `scalelab experiment --virtual`: the in-process invoker on the world's backend, the run driven by
 * the virtual clock, then the world's cloud data for the run's window written as cloud.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOptionsFor, type ProfileRunInput } from '../cli/run-common.js';
import type { CloudData } from '../cloud/types.js';
import type { VirtualClock } from '../lib/clock.js';
import { CLOUD_FILE } from '../report/run-data.js';
import { executeRun, type RunOutcome } from '../runner/run.js';
import { runInVirtualTime } from '../runner/virtual.js';
import { simulatedCloudData } from '../sim/cloud-export.js';
import type { SimWorld, WorldRequest } from '../sim/world.js';
import { createSimInvoker } from '../targets/sim.js';

export interface WorldRunInput extends Omit<ProfileRunInput, 'invoker' | 'clock' | 'startAtMs'> {
  world: SimWorld;
  clock: VirtualClock;
  /** The run starts here (epoch ms, virtual). */
  startAtMs: number;
  /** Where the requests go; default the world's first endpoint. */
  names?: Pick<WorldRequest, 'endpoint' | 'variant' | 'component'>;
  stopSignal?: AbortSignal;
  cancelSignal?: AbortSignal;
}

export async function runInWorld(i: WorldRunInput): Promise<{ outcome: RunOutcome; cloud: CloudData | undefined }> {
  const { world, clock, names, stopSignal, cancelSignal, ...run } = i;
  const invoker = createSimInvoker({
    backend: { submit: (request, listener) => world.backend.submit({ ...request, ...names }, listener) },
    clock,
    requestTimeoutMs: run.profile.limits.requestTimeoutS * 1000,
  });
  const outcome = await runInVirtualTime(
    clock,
    executeRun({
      ...runOptionsFor({ ...run, invoker, clock }),
      ...(stopSignal && { stopSignal }),
      ...(cancelSignal && { cancelSignal }),
    }),
  );
  const cloud = simulatedCloudData(world, { startMs: i.startAtMs, endMs: clock.nowMs() });
  if (cloud !== undefined) writeFileSync(join(outcome.dir, CLOUD_FILE), JSON.stringify(cloud, null, 2) + '\n');
  return { outcome, cloud };
}
