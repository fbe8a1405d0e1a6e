/**
 * `scalelab experiment <file>`: compare scaling configurations on one endpoint with the same
 * seeded traffic (src/experiment/). Against AWS nothing changes without --apply: the plan is
 * printed instead.
 */
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../lib/errors.js';
import { awsEnv, configForResource, simEnv, virtualEnv, type ExperimentEnv } from '../../experiment/env.js';
import { loadExperiment, type Experiment } from '../../experiment/load.js';
import { formatPlan, scalingResource, type ScalingResource } from '../../experiment/plan.js';
import { runExperiment, type ExperimentHooks } from '../../experiment/run.js';
import { formatVariantTable } from '../../experiment/table.js';
import { loadSimConfig } from '../../sim/config.js';
import { parseTargetSpec, type TargetOptions } from '../../targets/target-spec.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

export interface ExperimentArgs extends Pick<TargetOptions, 'region' | 'aws-profile' | 'endpoint-url'> {
  file: string;
  virtual?: boolean;
  apply?: boolean;
  out?: string;
  'start-at'?: string;
}

export function experimentCommand(setCode: (c: number) => void, hooks?: ExperimentHooks): CommandModule<object, ExperimentArgs> {
  return {
    command: 'experiment <file>',
    describe: 'Compare scaling policies: apply each variant, reset, run the same traffic, compare (see experiments/)',
    builder: (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'experiment YAML file (see experiments/)' })
        .option('virtual', { type: 'boolean', describe: 'simulator targets: run in virtual time, a fresh simulated world per variant (an hour takes seconds)' })
        .option('apply', { type: 'boolean', describe: 'AWS: really change the endpoint\'s scaling (without it, print the plan and exit)' })
        .option('out', { type: 'string', describe: 'output folder: one run directory per variant, compare.md, compare.html (default reports/<timestamp>-experiment-<name>)' })
        .option('start-at', { type: 'string', describe: '--virtual: the virtual start instant, ISO 8601 (default: now)' })
        .option('region', { type: 'string', describe: 'sagemaker: AWS region' })
        .option('aws-profile', { type: 'string', describe: 'sagemaker: shared-config profile for credentials' })
        .option('endpoint-url', { type: 'string', describe: 'sagemaker: endpoint override for every AWS API (e.g. a running `scalelab sim`)' }),
    handler: async (args) => {
      try {
        setCode(await experimentMain(args, hooks));
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}

interface Prepared {
  env?: ExperimentEnv;
  resource: ScalingResource;
  /** Printed instead of running (AWS without --apply). */
  plan?: string;
}

async function prepare(exp: Experiment, args: ExperimentArgs): Promise<Prepared> {
  if (typeof exp.target === 'object') {
    const endpoint = exp.resource.endpoint;
    if (endpoint === undefined) throw new UserError('experiment_invalid', `${exp.file}: resource.endpoint: name the simulated endpoint the inference component belongs to`);
    if (args['endpoint-url'] !== undefined || args.region !== undefined || args['aws-profile'] !== undefined) {
      throw new UserError('experiment_invalid', `${exp.file}: target is the simulator (target.sim); --endpoint-url, --region and --aws-profile apply to sagemaker: targets`);
    }
    const resource = scalingResource(exp.resource, endpoint);
    const first = exp.variants[0];
    const config = configForResource(await loadSimConfig(exp.simConfigPath ?? ''), resource, { min: first?.minCapacity ?? 1, max: first?.maxCapacity ?? 1 });
    const simConfigPath = exp.simConfigPath ?? '';
    if (args.virtual) {
      const startMs = args['start-at'] ? Date.parse(args['start-at']) : Date.now();
      if (Number.isNaN(startMs)) throw new UserError('start_invalid', `--start-at '${args['start-at'] ?? ''}' is not an ISO 8601 instant; give e.g. 2026-12-04T20:00:00Z`);
      return { resource, env: virtualEnv({ config, simConfigPath, resource, startMs }) };
    }
    const counted = exp.variants.filter((v) => v.targetTracking?.predefinedMetric?.includes('Invocations') === true).map((v) => v.name);
    if (exp.timeScale !== 1 && counted.length > 0) {
      // Only the control plane runs faster: a control-plane minute holds 1/F of a real minute's requests.
      process.stderr.write(
        `note: with timeScale ${exp.timeScale}, a metric minute lasts ${(60 / exp.timeScale).toFixed(1)} s of real load, so invocation counts per minute are ${exp.timeScale}× smaller than at the same real rate; ${counted.join(', ')} will see that (use --virtual for faithful per-minute counts)\n`,
      );
    }
    return { resource, env: await simEnv({ config, simConfigPath, resource, timeScale: exp.timeScale }) };
  }
  if (args.virtual) throw new UserError('experiment_invalid', `${exp.file}: target: --virtual needs a simulator target (target: { sim: sims/x.yaml }), not ${exp.target}`);
  const spec = parseTargetSpec(exp.target, args);
  if (spec.kind !== 'sagemaker') throw new UserError('experiment_invalid', `${exp.file}: target: expected sagemaker:<endpoint>`);
  if (exp.resource.endpoint !== undefined && exp.resource.endpoint !== spec.endpointName) {
    throw new UserError('experiment_invalid', `${exp.file}: resource.endpoint: '${exp.resource.endpoint}' is not the target's endpoint '${spec.endpointName}'`);
  }
  const resource = scalingResource(exp.resource, spec.endpointName);
  if (spec.endpointUrl === undefined && !args.apply) return { resource, plan: formatPlan(exp, resource) };
  return { resource, env: awsEnv(spec, resource) };
}

async function experimentMain(args: ExperimentArgs, hooks?: ExperimentHooks): Promise<number> {
  const exp = loadExperiment(args.file);
  const prepared = await prepare(exp, args);
  if (prepared.plan !== undefined || prepared.env === undefined) {
    process.stdout.write(`${prepared.plan ?? ''}\n\nThis is the plan only: add --apply to change the endpoint's scaling and run it.\n`);
    return EXIT.ok;
  }
  const env = prepared.env;
  const outDir = args.out ?? join('reports', `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-experiment-${exp.name}`);
  const stop = new AbortController();
  const cancel = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nstopping the experiment: the current run winds down, then the scaling policies are restored (Ctrl-C again to cancel in-flight requests)\n');
      stop.abort();
    } else cancel.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stderr.write(`scalelab experiment ${exp.name}: ${exp.variants.length} variant(s) on ${prepared.resource.ids.ResourceId}, ${env.label}; writing ${outDir}\n`);
  try {
    const out = await runExperiment({
      experiment: exp,
      env,
      resource: prepared.resource,
      outDir,
      stopSignal: stop.signal,
      cancelSignal: cancel.signal,
      ...(hooks && { hooks }),
    });
    process.stdout.write(`${formatVariantTable(out.rows)}\n\n`);
    for (const r of out.runs) process.stdout.write(`${r.variant}: ${r.dir}\n`);
    if (out.comparison) process.stdout.write(`comparison: ${out.comparison.md}, ${out.comparison.html}\n`);
    if (out.restoreErrors.length > 0) {
      process.stderr.write(`scalelab: some of ${prepared.resource.ids.ResourceId}'s scaling could not be restored (see above); check it with DescribeScalingPolicies\n`);
      return EXIT.failure;
    }
    return out.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
