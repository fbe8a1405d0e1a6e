/**
 * `scalelab collect <run>`: fetch the cloud data of a finished run again (CloudWatch keeps
 * delivering after a run ends; a run made without cloud access can get it later), then rebuild
 * the figures and reports.
 */
import type { CommandModule } from 'yargs';
import { RealClock } from '../../lib/clock.js';
import { UserError } from '../../lib/errors.js';
import { loadRun } from '../../report/run-data.js';
import { parseTargetSpec } from '../../targets/target-spec.js';
import { saveCloudData, startSageMakerCloudSession } from '../cloud-session.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';
import { FINALIZE_CLI_OPTIONS, finalizeOptionsFrom, finalizeRun, formatThresholds, type FinalizeArgs } from '../finalize.js';

interface Args extends FinalizeArgs {
  run: string;
  region?: string;
  'aws-profile'?: string;
  'endpoint-url'?: string;
}

export function collectCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'collect <run>',
    describe: "Fetch a SageMaker run's cloud data again (metrics, alarms, scaling activities) and rebuild its reports",
    builder: (y) =>
      y
        .positional('run', { type: 'string', demandOption: true, describe: 'run directory' })
        .option('region', { type: 'string', describe: 'override the region recorded in run.json' })
        .option('aws-profile', { type: 'string', describe: 'shared-config profile for credentials' })
        .option('endpoint-url', { type: 'string', describe: 'override the endpoint URL recorded in run.json (the simulator)' })
        .options(FINALIZE_CLI_OPTIONS),
    handler: async (args) => {
      try {
        const run = loadRun(args.run);
        const t = run.run.target as { kind: string; endpointName?: string; inferenceComponent?: string; targetVariant?: string; region?: string; endpointUrl?: string };
        if (t.kind !== 'sagemaker' || t.endpointName === undefined) {
          throw new UserError('collect_target', `${run.dir} was a run against ${t.kind}, not a SageMaker endpoint: there is no cloud data to collect`);
        }
        const endpointUrl = args['endpoint-url'] ?? t.endpointUrl;
        const spec = parseTargetSpec(`sagemaker:${t.endpointName}`, {
          ...(t.inferenceComponent !== undefined && { 'inference-component': t.inferenceComponent }),
          ...(t.targetVariant !== undefined && { variant: t.targetVariant }),
          ...((args.region ?? t.region) !== undefined && { region: args.region ?? t.region }),
          ...(args['aws-profile'] !== undefined && { 'aws-profile': args['aws-profile'] }),
          ...(endpointUrl !== undefined && { 'endpoint-url': endpointUrl }),
        });
        if (spec.kind !== 'sagemaker') throw new UserError('collect_target', `run.json names no SageMaker endpoint`);
        const session = await startSageMakerCloudSession(spec, { settle: 0 }, new RealClock());
        const window = { startMs: run.run.startMs, endMs: run.run.endMs ?? run.summary.run.endMs ?? run.run.startMs };
        await saveCloudData(run.dir, await session.finish(window));
        const fin = finalizeRun(run.dir, finalizeOptionsFrom(args));
        const thresholds = formatThresholds(fin.thresholds);
        if (thresholds) process.stdout.write(thresholds + '\n');
        process.stdout.write(`cloud data: ${run.dir}/cloud.json\nreport: ${fin.reports.html}\n`);
        setCode(fin.exitCode === EXIT.ok ? EXIT.ok : fin.exitCode);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
