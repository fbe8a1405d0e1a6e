/**
 * `npm run bench`: the speed and memory benchmarks of issue 2, against the trivial server.
 *
 *   npm run build && npm run bench              full: lag 3 × (500, 1000, 2000 req/s × 30 s); memory 1,000,000 requests
 *   npm run bench -- --quick                    smoke: lag 1 × 1000 req/s × 10 s; memory 100,000 requests
 *   npm run bench -- --only lag|memory          one of the two
 *
 * The load generator (the CLI) runs on core 0 and the trivial server on core 1 when `taskset` is
 * there. Run directories go to a temporary directory, removed at the end (`--keep` keeps it).
 * Prints each run as it ends, then markdown tables (bench/README.md quotes them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLag, formatLagReport } from './lag.js';
import { benchMemory, formatMemoryReport } from './memory.js';
import { TASKSET } from './memory-proc.js';
import { startTrivialServer } from './trivial-server-process.js';

const GENERATOR_CORE = 0;
const SERVER_CORE = 1;

const FULL = {
  lag: { ratesRps: [500, 1000, 2000], durationS: 30, warmupS: 5, repeats: 3, floorRps: 1000, floorDurationS: 10 },
  memory: { requests: 1_000_000, checkpoints: [100_000, 250_000, 500_000, 1_000_000], socketRateRps: 3000, instantRateRps: 10_000 },
};
const QUICK = {
  lag: { ratesRps: [1000], durationS: 10, warmupS: 5, repeats: 1, floorRps: 1000, floorDurationS: 5 },
  memory: { requests: 100_000, checkpoints: [10_000, 25_000, 50_000, 100_000], socketRateRps: 3000, instantRateRps: 10_000 },
};

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'lag' && only !== 'memory') {
    process.stderr.write('usage: npm run bench -- [--quick] [--only lag|memory] [--keep]\n');
    process.exit(2);
  }
  const plan = quick ? QUICK : FULL;
  const log = (line: string): void => void process.stdout.write(line + '\n');
  const [generatorCore, serverCore] = TASKSET ? [GENERATOR_CORE, SERVER_CORE] : [undefined, undefined];
  log(`machine: ${cpus().length} cores, ${cpuModel()}, node ${process.version}; ` +
    (TASKSET ? `generator on core ${GENERATOR_CORE}, server on core ${SERVER_CORE}` : 'taskset not found: processes not pinned'));
  const workDir = mkdtempSync(join(tmpdir(), 'scalelab-bench-'));
  const server = await startTrivialServer(serverCore);
  const common = { targetUrl: server.url, serverPid: server.pid, workDir, generatorCore, log };
  try {
    const lag = only === 'memory' ? undefined : await benchLag({ ...plan.lag, ...common });
    const memory = only === 'lag' ? undefined : await benchMemory({ ...plan.memory, ...common });
    log('');
    if (lag) log(formatLagReport(lag) + '\n');
    if (memory) log(formatMemoryReport(memory) + '\n');
  } finally {
    await server.stop();
    if (argv.includes('--keep')) log(`run directories kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
