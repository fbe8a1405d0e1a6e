/**
 * What the cloud did during a run, gathered around it: for a SageMaker endpoint, a capacity
 * sampler polls during the run and the readers fetch CloudWatch and Application Auto Scaling after
 * it (waiting for metric delivery); for the in-process simulator, the same data straight from its
 * world, its control-plane times scaled back to the run's clock.
 */
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { createCloudClients, type CloudClients, type CloudClientsConfig, type CloudTarget } from '../cloud/index.js';
import { collectCloudData, writeCloudJson } from '../cloud/collect.js';
import { resolveResource } from '../cloud/resource.js';
import { startCapacitySampler, type CapacitySampler } from '../cloud/capacity-sampler.js';
import type { CloudData } from '../cloud/types.js';
import { simulatedCloudDataRealTime } from '../sim/cloud-export.js';
import type { SimWorld } from '../sim/world.js';
import type { SageMakerTargetSpec } from '../targets/target-spec.js';

export const CLOUD_CLI_OPTIONS = {
  cloud: { type: 'boolean', default: true, describe: 'read what the endpoint\'s autoscaling did (CloudWatch, Application Auto Scaling, capacity) into cloud.json' },
  settle: { type: 'number', describe: 'seconds to wait after the run for CloudWatch to deliver its metrics (default 120 against AWS, 5 with --endpoint-url)' },
  'capacity-interval': { type: 'number', default: 5, describe: 'seconds between DescribeEndpoint / DescribeInferenceComponent polls during the run' },
} as const;

export interface CloudArgs {
  cloud?: boolean;
  settle?: number;
  'capacity-interval'?: number;
}

export interface CloudSession {
  /** Ends the session and returns what was gathered for the run's window. */
  finish(window: { startMs: number; endMs: number }): Promise<CloudData | undefined>;
}

/** Settle time against a local endpoint (the simulator's delivery lag is seconds, not minutes). */
const LOCAL_SETTLE_S = 5;
const AWS_SETTLE_S = 120;

export function worldCloudSession(world: SimWorld): CloudSession {
  return { finish: async (window) => simulatedCloudDataRealTime(world, window) };
}

/** Starts sampling capacity now; `finish` reads the rest. Failures become warnings in cloud.json. */
export async function startSageMakerCloudSession(spec: SageMakerTargetSpec, args: CloudArgs, clock: Clock): Promise<CloudSession> {
  const config: CloudClientsConfig = {
    ...(spec.region !== undefined && { region: spec.region }),
    ...(spec.profile !== undefined && { profile: spec.profile }),
    ...(spec.endpointUrl !== undefined && { endpointUrl: spec.endpointUrl }),
  };
  const target: CloudTarget = {
    endpointName: spec.endpointName,
    ...(spec.inferenceComponent !== undefined && { inferenceComponentName: spec.inferenceComponent }),
    ...(spec.targetVariant !== undefined && { variantName: spec.targetVariant }),
  };
  const clients: CloudClients = createCloudClients(config, clock);
  const warnings: string[] = [];
  let sampler: CapacitySampler | undefined;
  try {
    const resource = await resolveResource(clients.sagemaker, target);
    sampler = startCapacitySampler({ clients, resource, clock, intervalMs: (args['capacity-interval'] ?? 5) * 1000 });
  } catch (e: unknown) {
    warnings.push(`capacity sampling did not start (sagemaker:DescribeEndpoint: ${errorMessage(e)}): the capacity line is missing`);
  }
  return {
    async finish(window) {
      const capacitySamples = (await sampler?.stop()) ?? [];
      const settleS = args.settle ?? (spec.endpointUrl !== undefined ? LOCAL_SETTLE_S : AWS_SETTLE_S);
      if (settleS > 0) process.stderr.write(`waiting ${settleS} s for CloudWatch to deliver the run's metrics (--settle)\n`);
      try {
        return await collectCloudData({
          clientsConfig: config,
          clients,
          target,
          window,
          capacitySamples,
          warnings: [...warnings, ...(sampler?.warnings ?? [])],
          settleMs: settleS * 1000,
          clock,
          source: spec.endpointUrl !== undefined ? 'simulator' : 'aws',
        });
      } finally {
        clients.destroy();
      }
    },
  };
}

/** Writes cloud.json when there is something to write; says so on stderr. */
export async function saveCloudData(runDir: string, data: CloudData | undefined): Promise<void> {
  if (data === undefined) return;
  await writeCloudJson(runDir, data);
  for (const w of data.warnings) process.stderr.write(`cloud: ${w}\n`);
}
