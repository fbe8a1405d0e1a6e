/**
 * The runner without sockets, to isolate the tool's own memory: the real `executeRun` with the
 * CLI's own options (runOptionsFor: scheduler, recorder, run directory with results.ndjson, real
 * clock) driving an invoker that answers every request at once, in process, with the trivial
 * server's reply (two tokens and usage).
 *
 * Runs as its own process so its memory can be read from /proc by memory.ts:
 *   node dist/bench/memory-instant.js --rate 10000 --requests 1000000 --out <dir>
 */
import { pathToFileURL } from 'node:url';
import { runOptionsFor } from '../src/cli/run-common.js';
import { RealClock } from '../src/lib/clock.js';
import { expandSchedule, parseProfile } from '../src/profile/index.js';
import { executeRun } from '../src/runner/run.js';
import type { InferenceRequest, Invoker, StreamObserver } from '../src/targets/types.js';
import { benchProfileYaml } from './lag-cli.js';

/** Every request ends the instant it is sent: the trivial server's answer, minus the network. */
function instantInvoker(clock: RealClock): Invoker {
  return {
    invoke(req: InferenceRequest, obs: StreamObserver): Promise<void> {
      const tMs = clock.nowMs();
      obs.onSent(tMs);
      obs.onFirstByte(tMs);
      obs.onTokens(tMs, 1);
      obs.onTokens(tMs, 1);
      obs.onUsage({ inputTokens: req.inputTokens, outputTokens: 2 });
      obs.onEnd(tMs);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

function option(argv: string[], name: string): string {
  const value = argv[argv.indexOf(`--${name}`) + 1];
  if (!argv.includes(`--${name}`) || value === undefined) {
    process.stderr.write('usage: node dist/bench/memory-instant.js --rate <req/s> --requests <n> --out <dir>\n');
    process.exit(2);
  }
  return value;
}

async function main(argv: string[]): Promise<void> {
  const rateRps = Number(option(argv, 'rate'));
  const requests = Number(option(argv, 'requests'));
  const outDir = option(argv, 'out');
  const name = 'memory-instant';
  const profile = parseProfile(benchProfileYaml(name, { rateRps, durationS: requests / rateRps, results: true }), `${name}.yaml`);
  const schedule = expandSchedule(profile);
  const clock = new RealClock();
  const invoker = instantInvoker(clock);
  const outcome = await executeRun(runOptionsFor({ profile, profilePath: `${name}.yaml`, schedule, invoker, clock, outDir, target: { kind: 'instant' } }));
  process.stdout.write(`run directory: ${outcome.dir}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
