/** `scalelab run <profile>`: drive a profile at a target and write a run directory. */
import type { CommandModule } from 'yargs';
import { RealClock } from '../../lib/clock.js';
import { toolVersion } from '../../lib/version.js';
import { expandSchedule, loadProfile, type Profile } from '../../profile/index.js';
import { defaultRunDir } from '../../record/run-dir.js';
import { formatSummary } from '../../record/summary.js';
import { executeRun } from '../../runner/run.js';
import { createProgressPrinter } from '../../runner/progress.js';
import { loadSimConfig, parseSimConfig } from '../../sim/config.js';
import { startSimServer, type SimServer } from '../../sim/server.js';
import type { SimWorld } from '../../sim/world.js';
import { UserError, errorMessage } from '../../lib/errors.js';
import { createHttpInvoker, probeTarget } from '../../targets/http.js';
import { resolvePayload } from '../../targets/payloads.js';
import { SAGEMAKER_INVOKERS } from '../../targets/sagemaker.js';
import { credentialProvider } from '../../targets/sagemaker-config.js';
import { parseTargetSpec, SAGEMAKER_CLI_OPTIONS, type SageMakerTargetSpec, type TargetOptions, type TargetSpec } from '../../targets/target-spec.js';
import type { Invoker } from '../../targets/types.js';
import type { RunInfo } from '../../record/summary.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';
import { runOptionsFor } from '../run-common.js';
import { CLOUD_CLI_OPTIONS, saveCloudData, startSageMakerCloudSession, worldCloudSession, type CloudArgs } from '../cloud-session.js';
import { SHARD_CLI_OPTIONS, shardRunInput, startLine, type ShardArgs } from '../shard-options.js';
import { FINALIZE_CLI_OPTIONS, finalizeOptionsFrom, finalizeRun, formatScaling, formatThresholds, type FinalizeArgs } from '../finalize.js';

interface Args extends TargetOptions, FinalizeArgs, ShardArgs, CloudArgs {
  'time-scale'?: number;
  profile: string;
  target?: string;
  out?: string;
  seed?: number;
  'sim-config'?: string;
  progress: boolean;
}

export function runCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'run <profile>',
    describe: 'Run a traffic profile against a target and write a run directory',
    builder: (y) =>
      y
        .positional('profile', { type: 'string', demandOption: true, describe: 'profile YAML file (see profiles/)' })
        .option('target', {
          type: 'string',
          describe: "'sim' (built-in simulator, started in process), a base URL such as http://127.0.0.1:8000, or sagemaker:<endpoint>",
        })
        .option('out', { type: 'string', describe: 'run directory (default reports/<timestamp>-<profile>)' })
        .option('seed', { type: 'number', describe: 'override the profile seed' })
        .option('sim-config', { type: 'string', describe: 'simulator configuration for --target sim or --endpoint-url sim (see sims/)' })
        .option('time-scale', { type: 'number', describe: 'in-process simulator: run its control plane (metric periods, alarms, cooldowns, provisioning) this many times faster' })
        .option('progress', { type: 'boolean', default: true, describe: 'print a live progress line' })
        .options(FINALIZE_CLI_OPTIONS)
        .options(CLOUD_CLI_OPTIONS)
        .options(SHARD_CLI_OPTIONS)
        .options(SAGEMAKER_CLI_OPTIONS)
        .group(Object.keys(SAGEMAKER_CLI_OPTIONS), 'SageMaker targets (--target sagemaker:<endpoint>):'),
    handler: async (args) => {
      try {
        setCode(await run(args));
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}

interface OpenTarget {
  info: RunInfo['target'];
  /** Where the first line says the load goes. */
  label: string;
  invoker: Invoker;
  /** The in-process simulator's world, when the load goes to it. */
  world?: SimWorld;
  close: () => Promise<void>;
}

/** The in-process simulator for `--target sim` and `--endpoint-url sim`. */
async function startLocalSim(args: Args): Promise<SimServer> {
  const config = args['sim-config'] ? await loadSimConfig(args['sim-config']) : parseSimConfig({});
  const timeScale = args['time-scale'] ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new UserError('time_scale_invalid', `--time-scale must be a positive number, got ${String(timeScale)}`);
  return startSimServer({ port: 0, host: '127.0.0.1', config, timeScale });
}

async function openTarget(spec: TargetSpec, profile: Profile, args: Args, clock: RealClock, local: SimServer | undefined): Promise<OpenTarget> {
  const maxConnections = profile.limits.maxInFlight;
  const requestTimeoutMs = profile.limits.requestTimeoutS * 1000;
  if (spec.kind === 'sagemaker') {
    if (spec.endpointUrl !== undefined && local === undefined) await probeTarget(new URL(spec.endpointUrl).origin, 5000);
    if (spec.endpointUrl === undefined) {
      // Fail before sending rather than record every request as a credentials error.
      try {
        await credentialProvider(spec)();
      } catch (e: unknown) {
        throw new UserError('aws_credentials', `no AWS credentials for sagemaker:${spec.endpointName} (${errorMessage(e)}); set AWS_PROFILE or --aws-profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is available`);
      }
    }
    const invoker = SAGEMAKER_INVOKERS[spec.client]({
      ...spec,
      payload: resolvePayload(profile.payload.format, profile.source.payloadTemplate),
      responseFormat: profile.payload.response,
      clock,
      maxConnections,
      requestTimeoutMs,
    });
    const where = spec.endpointUrl ? ` at ${spec.endpointUrl}` : spec.region ? ` in ${spec.region}` : '';
    return {
      info: { kind: 'sagemaker', url: `sagemaker:${spec.endpointName}`, api: profile.payload.format, ...sagemakerInfo(spec) },
      label: `SageMaker endpoint ${spec.endpointName}${spec.inferenceComponent ? ` (inference component ${spec.inferenceComponent})` : ''}${local ? ' on the built-in simulator' : where}`,
      invoker,
      ...(local && { world: local.world }),
      close: async () => {
        await invoker.close();
        await local?.close();
      },
    };
  }
  let url: string;
  let closeServer = async (): Promise<void> => undefined;
  let world: SimWorld | undefined;
  if (spec.kind === 'sim') {
    const server = await startLocalSim(args);
    url = server.url;
    world = server.world;
    closeServer = () => server.close();
  } else {
    url = spec.baseUrl;
    await probeTarget(new URL(url).origin, 5000);
  }
  const invoker = createHttpInvoker({
    baseUrl: url,
    api: profile.api,
    ...(profile.model !== undefined && { model: profile.model }),
    clock,
    maxConnections,
    requestTimeoutMs,
  });
  return {
    info: { kind: spec.kind, url, api: profile.api },
    label: spec.kind === 'sim' ? `built-in simulator at ${url}` : url,
    invoker,
    ...(world && { world }),
    close: async () => {
      await invoker.close();
      await closeServer();
    },
  };
}

function sagemakerInfo(spec: SageMakerTargetSpec): Record<string, string | boolean> {
  return {
    endpointName: spec.endpointName,
    stream: spec.stream,
    client: spec.client,
    ...(spec.inferenceComponent !== undefined && { inferenceComponent: spec.inferenceComponent }),
    ...(spec.targetVariant !== undefined && { targetVariant: spec.targetVariant }),
    ...(spec.region !== undefined && { region: spec.region }),
    ...(spec.endpointUrl !== undefined && { endpointUrl: spec.endpointUrl }),
  };
}

async function run(args: Args): Promise<number> {
  const profile: Profile = loadProfile(args.profile, args.seed === undefined ? {} : { seed: args.seed });
  const schedule = expandSchedule(profile);
  const clock = new RealClock();
  const sharding = shardRunInput(args, clock.nowMs());
  const targetText = args.target ?? profile.target ?? 'sim';
  // `--endpoint-url sim`: a SageMaker target served by the in-process simulator (with its autoscaling).
  const local = args['endpoint-url'] === 'sim' && targetText.startsWith('sagemaker:') ? await startLocalSim(args) : undefined;
  const spec = parseTargetSpec(targetText, local ? { ...args, 'endpoint-url': local.url } : args);
  const target = await openTarget(spec, profile, args, clock, local);
  const invoker = target.invoker;

  const stopController = new AbortController();
  const cancelController = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nstopping: no new requests; in-flight streams get ${profile.gracePeriodS} s (Ctrl-C again to cancel them)\n`);
      stopController.abort();
    } else {
      process.stderr.write('\ncancelling in-flight requests; writing results\n');
      cancelController.abort();
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  const startMs = clock.nowMs();
  const outDir = args.out ?? defaultRunDir(profile.name, startMs);
  const progress = args.progress ? createProgressPrinter(process.stderr, schedule.durationMs / 1000) : undefined;
  process.stderr.write(`scalelab ${toolVersion()}: ${profile.name} → ${target.label}, writing ${outDir}\n`);
  process.stderr.write(startLine(sharding, clock.nowMs()));
  try {
    const cloud = args.cloud === false ? undefined : target.world ? worldCloudSession(target.world) : spec.kind === 'sagemaker' ? await startSageMakerCloudSession(spec, args, clock) : undefined;
    const outcome = await executeRun({
      ...runOptionsFor({
        profile,
        profilePath: args.profile,
        schedule,
        invoker,
        clock,
        outDir,
        target: target.info,
        ...(target.world && { extra: { timeScale: target.world.timeScale, sim: target.world.config } }),
        ...sharding,
      }),
      stopSignal: stopController.signal,
      cancelSignal: cancelController.signal,
      ...(progress && { onInterval: progress.update }),
    });
    progress?.end();
    process.stdout.write(formatSummary(outcome.summary) + '\n\n');
    await saveCloudData(outcome.dir, await cloud?.finish({ startMs: outcome.summary.run.startMs, endMs: outcome.summary.run.endMs ?? clock.nowMs() }));
    const fin = finalizeRun(outcome.dir, finalizeOptionsFrom(args));
    const scalingLines = formatScaling(fin.scaling);
    if (scalingLines && fin.scaling.steps.some((st) => st.detectionS.value !== null || st.reactionS.value !== null)) process.stdout.write(scalingLines + '\n\n');
    const thresholds = formatThresholds(fin.thresholds);
    if (thresholds) process.stdout.write(thresholds + '\n\n');
    process.stdout.write(`run directory: ${outcome.dir}\nreport: ${fin.reports.html}\n`);
    return outcome.stopReason === 'interrupted' ? EXIT.interrupted : fin.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await target.close();
  }
}
