/**
 * Where an experiment runs, behind one shape: the scaling API clients (the real AWS SDK clients,
 * pointed at AWS or at a simulator server), the control plane's time, and a way to run the profile
 * and collect what the cloud did.
 *
 * - virtual: every variant gets a fresh VirtualClock and a fresh world from the simulator config,
 *   served on a loopback port so the variant is applied through the same SDK calls as on AWS (one
 *   code path for apply, record and restore, and experiment.json holds real request bodies). The
 *   virtual clock does not move during those calls, so they happen at one instant; the load goes
 *   in process (no sockets) and the run is driven in virtual time like `scalelab simulate`.
 * - sim: one simulator started in process with the experiment's time scale, shared by the
 *   variants like a real endpoint; the load goes through the SageMaker client to it, like
 *   `scalelab run --endpoint-url sim`.
 * - aws: the endpoint itself (or `--endpoint-url`), with the capacity sampler and cloud readers
 *   around each run.
 */
import { createCloudClients, type CloudClients } from '../cloud/index.js';
import { saveCloudData, startSageMakerCloudSession, worldCloudSession } from '../cli/cloud-session.js';
import { runOptionsFor } from '../cli/run-common.js';
import { RealClock, VirtualClock, type Clock } from '../lib/clock.js';
import type { Profile } from '../profile/index.js';
import type { Schedule } from '../profile/types.js';
import type { RunInfo } from '../record/summary.js';
import { executeRun, type RunOutcome } from '../runner/run.js';
import type { SimConfig } from '../sim/config.js';
import { startSimServer, type SimServer } from '../sim/server.js';
import { resolvePayload } from '../targets/payloads.js';
import { SAGEMAKER_INVOKERS } from '../targets/sagemaker.js';
import type { SageMakerTargetSpec } from '../targets/target-spec.js';
import type { Invoker } from '../targets/types.js';
import type { ExperimentTime } from './baseline.js';
import type { ScalingResource } from './plan.js';
import type { ScalingClients } from './scaling-api.js';
import { runInWorld } from './virtual-run.js';

export type ExperimentMode = 'virtual' | 'sim' | 'aws';

export interface VariantRunInput {
  profile: Profile;
  profilePath: string;
  schedule: Schedule;
  outDir: string;
  /** Run-json extras (experiment and variant names). */
  extra: Record<string, unknown>;
  /** Control-plane seconds to wait after the run before reading the cloud data. */
  settleS: number;
  stopSignal?: AbortSignal;
  cancelSignal?: AbortSignal;
  onInterval?: (row: { tMs: number }, inFlight: number) => void;
}

export interface VariantEnv {
  clients: ScalingClients;
  time: ExperimentTime;
  /** Runs the profile and writes cloud.json into the run directory. */
  run(input: VariantRunInput): Promise<RunOutcome>;
}

export interface ExperimentEnv {
  mode: ExperimentMode;
  /** For the first line: where the experiment runs. */
  label: string;
  /** Virtual time: each variant has its own world, so nothing outside the process changes and nothing needs restoring. */
  freshPerVariant: boolean;
  /** The environment of the next variant (the same one except in virtual time). */
  open(): Promise<VariantEnv>;
  close(): Promise<void>;
}

/**
 * The simulator config with the experiment's resource first among its `autoscaling:` entries (an
 * unregistered resource gets an entry without policies): the simulated cloud data (cloud.json)
 * describes the first entry's resource.
 */
export function configForResource(config: SimConfig, resource: ScalingResource, capacity: { min: number; max: number }): SimConfig {
  const id = resource.ids.ResourceId;
  const own = config.autoscaling.find((t) => t.resourceId === id) ?? { resourceId: id, minCapacity: capacity.min, maxCapacity: capacity.max, policies: [] };
  return { ...config, autoscaling: [own, ...config.autoscaling.filter((t) => t.resourceId !== id)] };
}

const asClients = (c: CloudClients): ScalingClients => ({ autoscaling: c.autoscaling, cloudwatch: c.cloudwatch, sagemaker: c.sagemaker });

function sageMakerInvoker(spec: SageMakerTargetSpec, profile: Profile, clock: Clock): Invoker {
  return SAGEMAKER_INVOKERS[spec.client]({
    ...spec,
    payload: resolvePayload(profile.payload.format, profile.source.payloadTemplate),
    responseFormat: profile.payload.response,
    clock,
    maxConnections: profile.limits.maxInFlight,
    requestTimeoutMs: profile.limits.requestTimeoutS * 1000,
  });
}

function sageMakerInfo(spec: SageMakerTargetSpec, profile: Profile): RunInfo['target'] {
  const info: Record<string, unknown> & RunInfo['target'] = {
    kind: 'sagemaker',
    url: `sagemaker:${spec.endpointName}`,
    api: profile.payload.format,
    endpointName: spec.endpointName,
    ...(spec.inferenceComponent !== undefined && { inferenceComponent: spec.inferenceComponent }),
    ...(spec.targetVariant !== undefined && { targetVariant: spec.targetVariant }),
    ...(spec.region !== undefined && { region: spec.region }),
    ...(spec.endpointUrl !== undefined && { endpointUrl: spec.endpointUrl }),
  };
  return info;
}

/** The SageMaker target a resource is invoked through. */
function resourceSpec(resource: ScalingResource, base: Partial<SageMakerTargetSpec> = {}): SageMakerTargetSpec {
  return {
    stream: true,
    client: 'sdk',
    ...base,
    kind: 'sagemaker',
    endpointName: resource.endpointName,
    ...(resource.inferenceComponentName !== undefined && { inferenceComponent: resource.inferenceComponentName }),
  };
}

export interface VirtualEnvOptions {
  config: SimConfig;
  simConfigPath: string;
  resource: ScalingResource;
  /** Every variant's virtual clock starts here (epoch ms), so their runs line up. */
  startMs: number;
}

export function virtualEnv(o: VirtualEnvOptions): ExperimentEnv {
  const servers: SimServer[] = [];
  const clientSets: CloudClients[] = [];
  return {
    mode: 'virtual',
    label: `the simulator (${o.simConfigPath}) in virtual time, a fresh world per variant`,
    freshPerVariant: true,
    async open() {
      const clock = new VirtualClock(o.startMs);
      const server = await startSimServer({ config: o.config, clock });
      servers.push(server);
      const clients = createCloudClients({ endpointUrl: server.url }, clock);
      clientSets.push(clients);
      const world = server.world;
      const names = {
        endpoint: o.resource.endpointName,
        ...(o.resource.variantName !== undefined && { variant: o.resource.variantName }),
        ...(o.resource.inferenceComponentName !== undefined && { component: o.resource.inferenceComponentName }),
      };
      return {
        clients: asClients(clients),
        time: { nowMs: () => clock.nowMs(), sleep: (ms) => clock.advanceTo(clock.nowMs() + ms) },
        async run(input) {
          const { outcome } = await runInWorld({
            world,
            clock,
            names,
            profile: input.profile,
            profilePath: input.profilePath,
            schedule: input.schedule,
            outDir: input.outDir,
            target: { kind: 'simulated', url: o.simConfigPath },
            extra: { ...input.extra, virtualTime: true, timeScale: 1, sim: o.config },
            startAtMs: clock.nowMs(),
            ...(input.stopSignal && { stopSignal: input.stopSignal }),
            ...(input.cancelSignal && { cancelSignal: input.cancelSignal }),
          });
          // The world is done with: its timers would only keep running for nothing.
          clientSets.splice(clientSets.indexOf(clients), 1);
          servers.splice(servers.indexOf(server), 1);
          clients.destroy();
          await server.close();
          return outcome;
        },
      };
    },
    async close() {
      for (const c of clientSets.splice(0)) c.destroy();
      for (const s of servers.splice(0)) await s.close();
    },
  };
}

export interface SimEnvOptions {
  config: SimConfig;
  simConfigPath: string;
  resource: ScalingResource;
  timeScale: number;
}

export async function simEnv(o: SimEnvOptions): Promise<ExperimentEnv> {
  const clock = new RealClock();
  const server = await startSimServer({ port: 0, host: '127.0.0.1', config: o.config, timeScale: o.timeScale });
  const world = server.world;
  const cloudClients = createCloudClients({ endpointUrl: server.url }, clock);
  const spec = resourceSpec(o.resource, { endpointUrl: server.url, ...(o.resource.variantName !== undefined && { targetVariant: o.resource.variantName }) });
  const control = world.controlClock;
  const env: VariantEnv = {
    clients: asClients(cloudClients),
    time: { nowMs: () => control.nowMs(), sleep: (ms, signal) => control.sleepUntil(control.nowMs() + ms, signal) },
    async run(input) {
      const invoker = sageMakerInvoker(spec, input.profile, clock);
      try {
        const outcome = await executeRun({
          ...runOptionsFor({
            profile: input.profile,
            profilePath: input.profilePath,
            schedule: input.schedule,
            invoker,
            clock,
            outDir: input.outDir,
            target: sageMakerInfo(spec, input.profile),
            extra: { ...input.extra, timeScale: o.timeScale, sim: o.config },
          }),
          ...(input.stopSignal && { stopSignal: input.stopSignal }),
          ...(input.cancelSignal && { cancelSignal: input.cancelSignal }),
          ...(input.onInterval && { onInterval: input.onInterval }),
        });
        if (input.settleS > 0) await control.sleepUntil(control.nowMs() + input.settleS * 1000);
        await saveCloudData(outcome.dir, await worldCloudSession(world).finish({ startMs: outcome.summary.run.startMs, endMs: outcome.summary.run.endMs ?? clock.nowMs() }));
        return outcome;
      } finally {
        await invoker.close();
      }
    },
  };
  return {
    mode: 'sim',
    label: `the simulator (${o.simConfigPath}) at ${server.url}, control plane ×${o.timeScale}`,
    freshPerVariant: false,
    open: async () => env,
    async close() {
      cloudClients.destroy();
      await server.close();
    },
  };
}

export function awsEnv(spec: SageMakerTargetSpec, resource: ScalingResource): ExperimentEnv {
  const clock = new RealClock();
  const cloudClients = createCloudClients(
    {
      ...(spec.region !== undefined && { region: spec.region }),
      ...(spec.profile !== undefined && { profile: spec.profile }),
      ...(spec.endpointUrl !== undefined && { endpointUrl: spec.endpointUrl }),
    },
    clock,
  );
  const target = resourceSpec(resource, spec);
  const env: VariantEnv = {
    clients: asClients(cloudClients),
    time: { nowMs: () => clock.nowMs(), sleep: (ms, signal) => clock.sleepUntil(clock.nowMs() + ms, signal) },
    async run(input) {
      const invoker = sageMakerInvoker(target, input.profile, clock);
      try {
        // settleS 0: the session's own default (120 s against AWS, for CloudWatch's delivery lag).
        const cloud = await startSageMakerCloudSession(target, input.settleS > 0 ? { settle: input.settleS } : {}, clock);
        const outcome = await executeRun({
          ...runOptionsFor({
            profile: input.profile,
            profilePath: input.profilePath,
            schedule: input.schedule,
            invoker,
            clock,
            outDir: input.outDir,
            target: sageMakerInfo(target, input.profile),
            extra: input.extra,
          }),
          ...(input.stopSignal && { stopSignal: input.stopSignal }),
          ...(input.cancelSignal && { cancelSignal: input.cancelSignal }),
          ...(input.onInterval && { onInterval: input.onInterval }),
        });
        await saveCloudData(outcome.dir, await cloud.finish({ startMs: outcome.summary.run.startMs, endMs: outcome.summary.run.endMs ?? clock.nowMs() }));
        return outcome;
      } finally {
        await invoker.close();
      }
    },
  };
  return {
    mode: 'aws',
    label: `SageMaker endpoint ${spec.endpointName}${spec.endpointUrl ? ` at ${spec.endpointUrl}` : spec.region ? ` in ${spec.region}` : ''}`,
    freshPerVariant: false,
    open: async () => env,
    close: async () => cloudClients.destroy(),
  };
}
