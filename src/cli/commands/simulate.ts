/**
 * `scalelab simulate <profile> --sim <sims/x.yaml>`: the scheduler, the recorder and the simulated
 * world (serving models, capacity, CloudWatch, alarms, Application Auto Scaling) together in virtual
 * time, without sockets. Writes a normal run directory, plus cloud.json with what the simulated
 * control plane did (alarm transitions, scaling activities, capacity, metrics); an hour of load
 * takes seconds.
 */
import type { CommandModule } from 'yargs';
import { VirtualClock } from '../../lib/clock.js';
import { UserError } from '../../lib/errors.js';
import { expandSchedule, loadProfile } from '../../profile/index.js';
import { defaultRunDir } from '../../record/run-dir.js';
import { formatSummary } from '../../record/summary.js';
import { loadSimConfig, parseSimConfig } from '../../sim/config.js';
import { createSimWorld } from '../../sim/world.js';
import { runInWorld } from '../../experiment/virtual-run.js';
import { reportFailure } from '../fail.js';
import { FINALIZE_CLI_OPTIONS, finalizeOptionsFrom, finalizeRun, formatScaling, formatThresholds, type FinalizeArgs } from '../finalize.js';

interface Args extends FinalizeArgs {
  profile: string;
  sim?: string;
  out?: string;
  seed?: number;
  'start-at'?: string;
}

export function simulateCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'simulate <profile>',
    describe: 'Run a profile against the simulator in virtual time (no sockets; an hour takes seconds)',
    builder: (y) =>
      y
        .positional('profile', { type: 'string', demandOption: true, describe: 'profile YAML file' })
        .option('sim', { type: 'string', describe: 'simulator configuration (see sims/); default: the built-in defaults' })
        .option('out', { type: 'string', describe: 'run directory (default reports/<timestamp>-<profile>)' })
        .option('seed', { type: 'number', describe: 'override the profile seed' })
        .option('start-at', { type: 'string', describe: 'virtual start instant, ISO 8601 (default: now)' })
        .options(FINALIZE_CLI_OPTIONS),
    handler: async (args) => {
      try {
        setCode(await simulate(args));
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}

async function simulate(args: Args): Promise<number> {
  const profile = loadProfile(args.profile, args.seed === undefined ? {} : { seed: args.seed });
  const schedule = expandSchedule(profile);
  const config = args.sim ? await loadSimConfig(args.sim) : parseSimConfig({});
  const startMs = args['start-at'] ? parseStart(args['start-at']) : Date.now();
  const clock = new VirtualClock(startMs);
  const world = createSimWorld(config, clock);
  const outDir = args.out ?? defaultRunDir(profile.name, startMs);
  const wallStartMs = performance.now();
  const { outcome, cloud } = await runInWorld({
    world,
    clock,
    profile,
    profilePath: args.profile,
    schedule,
    outDir,
    target: { kind: 'simulated', ...(args.sim !== undefined && { url: args.sim }) },
    extra: {
      virtualTime: true,
      timeScale: 1,
      sim: config,
      scalableResources: world.endpoints.targets().map((t) => ({ resourceId: t.capacity.resourceId, scalableDimension: t.capacity.scalableDimension })),
    },
    startAtMs: startMs,
  });
  world.close();
  const wallS = (performance.now() - wallStartMs) / 1000;
  process.stdout.write(formatSummary(outcome.summary) + '\n\n');
  process.stdout.write(`simulated ${outcome.summary.run.durationS.toFixed(0)} s in ${wallS.toFixed(1)} s\n`);
  if (cloud !== undefined) {
    const scaled = cloud.activities.filter((a) => a.notScaledReasons === undefined);
    const path = cloud.capacity.map((c) => c.current).filter((c, i, all) => i === 0 || c !== all[i - 1]);
    process.stdout.write(`${cloud.resource.resourceId}: ${scaled.length} scaling activit${scaled.length === 1 ? 'y' : 'ies'}, capacity ${path.join(' → ')}\n`);
  }
  // After cloud.json, so the reports carry the scaling figures.
  const fin = finalizeRun(outcome.dir, finalizeOptionsFrom(args));
  const scalingLines = formatScaling(fin.scaling);
  if (scalingLines && cloud !== undefined) process.stdout.write(`\n${scalingLines}\n`);
  const thresholds = formatThresholds(fin.thresholds);
  if (thresholds) process.stdout.write(`\n${thresholds}\n`);
  process.stdout.write(`run directory: ${outcome.dir}\nreport: ${fin.reports.html}\n`);
  return fin.exitCode;
}

function parseStart(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UserError('start_invalid', `--start-at '${text}' is not an ISO 8601 instant; give e.g. 2026-12-04T20:00:00Z`);
  return ms;
}
