/**
 * The floor under schedule lag: RealClock.sleepUntil alone, waking at the same planned instants a
 * constant-rate run uses, with no request work at all. What it measures is the clock plus the
 * machine (other processes taking the core, the garbage of the wait itself); the CLI's lag
 * can't be lower. Run as its own process, on the generator's core, between benchmark runs:
 *   node dist/bench/lag-floor.js --rate 1000 --duration 10
 * Prints one JSON line: LatencyStats of the lag in ms, and the CPU share used.
 */
import { pathToFileURL } from 'node:url';
import { RealClock } from '../src/lib/clock.js';
import { latencyStats, msToUs, newHistogram } from '../src/record/histograms.js';

async function main(argv: string[]): Promise<void> {
  const rateRps = Number(argv[argv.indexOf('--rate') + 1]);
  const durationS = Number(argv[argv.indexOf('--duration') + 1]);
  if (!(rateRps > 0) || !(durationS > 0)) {
    process.stderr.write('usage: node dist/bench/lag-floor.js --rate <req/s> --duration <s>\n');
    process.exit(2);
  }
  const clock = new RealClock();
  const signal = new AbortController().signal;
  const lag = newHistogram();
  const gapMs = 1000 / rateRps;
  const startMs = clock.nowMs() + 100;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < rateRps * durationS; i++) {
    const intendedMs = startMs + i * gapMs;
    await clock.sleepUntil(intendedMs, signal);
    lag.recordValue(msToUs(clock.nowMs() - intendedMs));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuShare = (cpu.user + cpu.system) / 1000 / (clock.nowMs() - startMs);
  process.stdout.write(JSON.stringify({ lag: latencyStats(lag), cpuShare }) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
