/** `scalelab run <profile>`: drive a profile at a target and write a run directory. */
import type { CommandModule } from 'yargs';
import { RealClock } from '../../lib/clock.js';
import { UserError } from '../../lib/errors.js';
import { toolVersion } from '../../lib/version.js';
import { expandSchedule, loadProfile, type Profile } from '../../profile/index.js';
import { defaultRunDir } from '../../record/run-dir.js';
import { formatSummary } from '../../record/summary.js';
import { executeRun } from '../../runner/run.js';
import { createProgressPrinter } from '../../runner/progress.js';
import { loadSimConfig, parseSimConfig } from '../../sim/config.js';
import { startSimServer } from '../../sim/server.js';
import { createHttpInvoker, probeTarget } from '../../targets/http.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';
import { runOptionsFor } from '../run-common.js';

interface Args {
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
          describe: "'sim' (built-in simulator, started in process) or a base URL such as http://127.0.0.1:8000",
        })
        .option('out', { type: 'string', describe: 'run directory (default reports/<timestamp>-<profile>)' })
        .option('seed', { type: 'number', describe: 'override the profile seed' })
        .option('sim-config', { type: 'string', describe: 'simulator configuration for --target sim (see sims/)' })
        .option('progress', { type: 'boolean', default: true, describe: 'print a live progress line' }),
    handler: async (args) => {
      try {
        setCode(await run(args));
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}

interface Target {
  kind: 'sim' | 'http';
  url: string;
  close: () => Promise<void>;
}

async function openTarget(spec: string, simConfigPath: string | undefined): Promise<Target> {
  if (spec === 'sim') {
    const config = simConfigPath ? await loadSimConfig(simConfigPath) : parseSimConfig({});
    const server = await startSimServer({ port: 0, host: '127.0.0.1', config });
    return { kind: 'sim', url: server.url, close: () => server.close() };
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UserError('target_invalid', `--target '${spec}' is neither 'sim' nor a URL; give e.g. --target http://127.0.0.1:8000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError('target_invalid', `--target '${spec}': only http:// and https:// URLs are supported here`);
  }
  await probeTarget(url.origin, 5000);
  return { kind: 'http', url: spec.replace(/\/+$/, ''), close: async () => undefined };
}

async function run(args: Args): Promise<number> {
  const profile: Profile = loadProfile(args.profile, args.seed === undefined ? {} : { seed: args.seed });
  const schedule = expandSchedule(profile);
  const clock = new RealClock();
  const target = await openTarget(args.target ?? profile.target ?? 'sim', args['sim-config']);
  const invoker = createHttpInvoker({
    baseUrl: target.url,
    api: profile.api,
    ...(profile.model !== undefined && { model: profile.model }),
    clock,
    maxConnections: profile.limits.maxInFlight,
    requestTimeoutMs: profile.limits.requestTimeoutS * 1000,
  });

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
  process.stderr.write(`scalelab ${toolVersion()}: ${profile.name} → ${target.kind === 'sim' ? `built-in simulator at ${target.url}` : target.url}, writing ${outDir}\n`);
  try {
    const outcome = await executeRun({
      ...runOptionsFor({
        profile,
        profilePath: args.profile,
        schedule,
        invoker,
        clock,
        outDir,
        target: { kind: target.kind, url: target.url, api: profile.api },
      }),
      stopSignal: stopController.signal,
      cancelSignal: cancelController.signal,
      ...(progress && { onInterval: progress.update }),
    });
    progress?.end();
    process.stdout.write(formatSummary(outcome.summary) + '\n\n');
    process.stdout.write(`run directory: ${outcome.dir}\n`);
    return outcome.stopReason === 'interrupted' ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await invoker.close();
    await target.close();
  }
}
