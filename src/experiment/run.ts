/**
 * One experiment: for each variant in turn, apply its scaling configuration, record what was
 * applied, settle, bring the resource to the baseline, run the profile with the same seed, settle
 * again, collect the cloud data and finalize the run; then compare all the runs. Whatever happens (a failure,
 * Ctrl-C), the resource's scalable target and policies are put back as they were, and the
 * terminal says what was put back.
 */
import { makeDirs } from '../record/run-dir.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeRun } from '../cli/finalize.js';
import { errorMessage } from '../lib/errors.js';
import { expandSchedule, loadProfile, type Profile } from '../profile/index.js';
import type { Schedule } from '../profile/types.js';
import { writeComparison, type WrittenReports } from '../report/index.js';
import { loadRun } from '../report/run-data.js';
import { reachBaseline, type BaselineRecord } from './baseline.js';
import type { ExperimentEnv } from './env.js';
import type { Experiment } from './load.js';
import { planVariant, type ScalingResource } from './plan.js';
import { applyVariant, describePolicies, describeTarget, restore, snapshot, type ScalingSnapshot, type SentCall } from './scaling-api.js';
import type { VariantSpec } from './schema.js';
import { variantRows, type VariantRow } from './table.js';

export const EXPERIMENT_FILE = 'experiment.json';

export interface ExperimentHooks {
  /** Called after the baseline, right before a variant's run (tests inject failures here). */
  beforeRun?: (variant: VariantSpec) => void | Promise<void>;
}

export interface RunExperimentOptions {
  experiment: Experiment;
  env: ExperimentEnv;
  resource: ScalingResource;
  outDir: string;
  /** Stops the current run gracefully and skips the remaining variants (first Ctrl-C). */
  stopSignal?: AbortSignal;
  /** Cancels in-flight requests (second Ctrl-C). */
  cancelSignal?: AbortSignal;
  hooks?: ExperimentHooks;
  log?: (line: string) => void;
}

export interface ExperimentOutcome {
  /** The run directories of the variants that ran, in order. */
  runs: { variant: string; dir: string }[];
  rows: VariantRow[];
  comparison?: WrittenReports;
  /** Lines saying what was put back (empty in virtual time). */
  restored: string[];
  restoreErrors: string[];
  interrupted: boolean;
}

/** experiment.json in a variant's run directory. */
export interface VariantRecord {
  experiment: { name: string; file: string; mode: string };
  variant: VariantSpec;
  resource: ScalingResource['ids'];
  /** Every request that applied the variant, in order, with its response. */
  applied: SentCall[];
  /** What Application Auto Scaling said right after. */
  after: { scalableTarget: unknown; policies: unknown[] };
  baseline?: BaselineRecord;
  /** What was on the resource before the experiment (restored at its end). */
  before: ScalingSnapshot;
}

export async function runExperiment(o: RunExperimentOptions): Promise<ExperimentOutcome> {
  const { experiment, env, resource } = o;
  const log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));
  // Read the profile before touching anything: a broken profile changes nothing.
  const profile: Profile = loadProfile(experiment.profilePath, experiment.seed === undefined ? {} : { seed: experiment.seed });
  const schedule: Schedule = expandSchedule(profile);
  makeDirs(o.outDir);

  const runs: ExperimentOutcome['runs'] = [];
  const createdAlarms: string[] = [];
  let interrupted = false;
  let first = await env.open();
  const before = await snapshot(first.clients, resource);
  const restored: string[] = [];
  const restoreErrors: string[] = [];
  try {
    for (const [i, variant] of experiment.variants.entries()) {
      if (o.stopSignal?.aborted) {
        interrupted = true;
        break;
      }
      const venv = i === 0 ? first : await env.open();
      const plan = planVariant(experiment, variant, resource);
      const dir = join(o.outDir, variant.name);
      makeDirs(dir);
      log(`variant ${i + 1}/${experiment.variants.length} ${variant.name}: applying ${plan.policyName} to ${resource.ids.ResourceId}`);
      const applied = await applyVariant(venv.clients, plan, resource);
      if (plan.putAlarm) createdAlarms.push(String(plan.putAlarm.input['AlarmName']));
      const record: VariantRecord = {
        experiment: { name: experiment.name, file: experiment.file, mode: env.mode },
        variant,
        resource: resource.ids,
        applied,
        after: { scalableTarget: await describeTarget(venv.clients, resource), policies: await describePolicies(venv.clients, resource) },
        before,
      };
      const writeRecord = (): void => writeFileSync(join(dir, EXPERIMENT_FILE), JSON.stringify(record, null, 2) + '\n');
      writeRecord();
      // Settle first: the previous run's tail must leave the new policy's alarm windows, or the
      // new alarms act on it (a scale-out before the run) after the baseline was reached.
      if (experiment.settleS > 0) await venv.time.sleep(experiment.settleS * 1000, o.stopSignal);
      log(`variant ${variant.name}: baseline (${'setDesired' in experiment.baseline ? `set desired ${experiment.baseline.setDesired}` : `wait for ${variant.minCapacity} in service`})`);
      record.baseline = await reachBaseline(venv.clients, resource, experiment, variant, venv.time, o.stopSignal);
      writeRecord();
      await o.hooks?.beforeRun?.(variant);
      log(`variant ${variant.name}: running ${profile.name} (seed ${schedule.seed}) → ${dir}`);
      const outcome = await venv.run({
        profile,
        profilePath: experiment.profilePath,
        schedule,
        outDir: dir,
        extra: { experiment: experiment.name, variant: variant.name, policyName: plan.policyName },
        settleS: experiment.settleS,
        ...(o.stopSignal && { stopSignal: o.stopSignal }),
        ...(o.cancelSignal && { cancelSignal: o.cancelSignal }),
      });
      finalizeRun(outcome.dir);
      runs.push({ variant: variant.name, dir: outcome.dir });
      if (outcome.stopReason === 'interrupted') {
        interrupted = true;
        break;
      }
    }
  } catch (e: unknown) {
    if (!(o.stopSignal?.aborted ?? false)) throw e;
    interrupted = true;
  } finally {
    if (env.freshPerVariant) {
      restored.push('nothing to restore: in virtual time every variant ran in its own simulated world');
    } else {
      // Outside virtual time every variant shares one environment: the endpoint itself.
      first = await env.open();
      const r = await restore(first.clients, resource, before, createdAlarms);
      restored.push(...r.lines);
      restoreErrors.push(...r.errors);
      log(`restored ${resource.ids.ResourceId} to what it was before the experiment:`);
      for (const l of r.lines) log(`  ${l}`);
      for (const err of r.errors) log(`  FAILED: ${err}`);
    }
    await env.close();
  }
  const loaded = runs.map((r) => loadRun(r.dir));
  let comparison: WrittenReports | undefined;
  if (loaded.length > 0) {
    try {
      comparison = writeComparison(loaded, o.outDir);
    } catch (e: unknown) {
      log(`comparison not written: ${errorMessage(e)}`);
    }
  }
  const rows = variantRows(runs.map((r, i) => ({ variant: r.variant, run: loaded[i]! })));
  return { runs, rows, ...(comparison && { comparison }), restored, restoreErrors, interrupted };
}

