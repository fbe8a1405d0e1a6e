/**
 * Schedule lag at a constant open-loop rate against the trivial server: how late the CLI sends
 * requests after their planned instant (the `lag` histogram), with the CLI alone on one core and
 * the server on the other. Each rate is run `repeats` times, interleaved (rate A, B, C, A, B, C…)
 * so a noisy minute on a shared machine does not land on one rate only; the report gives every
 * run and the median of each figure over the runs.
 *
 * Two views of each run: the whole run (summary.json, what a user sees) and the steady state,
 * the intervals of latency.hlog from `warmupS` on, without the start-up (JIT, and the connection
 * pool opening its sockets). Between runs, lag-floor.ts measures the clock alone on the same core.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyStats, newHistogram, type LatencyStats } from '../src/record/histograms.js';
import { readHlog } from '../src/record/hlog.js';
import { cpuShare, runCli } from './lag-cli.js';
import { median, spawnNodePinned } from './memory-proc.js';

export interface LagOptions {
  ratesRps: number[];
  durationS: number;
  /** Start-up left out of the steady-state figures. */
  warmupS: number;
  repeats: number;
  /** Rate and length of the floor measured before each repeat. */
  floorRps: number;
  floorDurationS: number;
  targetUrl: string;
  serverPid: number;
  workDir: string;
  generatorCore: number | undefined;
  log: (line: string) => void;
}

/** One run's figures; times in ms, CPU as a share of one core. */
export interface LagRun {
  rateRps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  steadyP50Ms: number;
  steadyP99Ms: number;
  steadyP999Ms: number;
  steadyMaxMs: number;
  achievedRps: number;
  ok: number;
  failed: number;
  dropped: number;
  generatorCpu: number;
  serverCpu: number;
}

/** The clock alone, at the floor rate. */
export interface FloorRun {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  cpu: number;
}

export interface LagReport {
  options: Pick<LagOptions, 'ratesRps' | 'durationS' | 'warmupS' | 'repeats' | 'floorRps' | 'floorDurationS'>;
  runs: LagRun[];
  floors: FloorRun[];
  /** Per rate, the median of each figure over its runs. */
  medians: LagRun[];
  floorMedian: FloorRun;
}

export async function benchLag(o: LagOptions): Promise<LagReport> {
  const runs: LagRun[] = [];
  const floors: FloorRun[] = [];
  for (let repeat = 1; repeat <= o.repeats; repeat++) {
    const floor = await measureFloor(o.floorRps, o.floorDurationS, o.generatorCore);
    floors.push(floor);
    o.log(`floor ${o.floorRps} req/s run ${repeat}: clock alone: lag p50 ${ms(floor.p50Ms)}, p99 ${ms(floor.p99Ms)}, p99.9 ${ms(floor.p999Ms)}, max ${ms(floor.maxMs)}; CPU ${pct(floor.cpu)}`);
    for (const rateRps of o.ratesRps) {
      const run = await lagRun(o, rateRps, `lag-${rateRps}rps-${repeat}`);
      runs.push(run);
      o.log(`lag ${rateRps} req/s run ${repeat}: ${formatLagRun(run)}`);
    }
  }
  const medians = o.ratesRps.map((rateRps) => medianOf(runs.filter((r) => r.rateRps === rateRps)));
  const { ratesRps, durationS, warmupS, repeats, floorRps, floorDurationS } = o;
  return { options: { ratesRps, durationS, warmupS, repeats, floorRps, floorDurationS }, runs, floors, medians, floorMedian: medianOf(floors) };
}

async function lagRun(o: LagOptions, rateRps: number, name: string): Promise<LagRun> {
  const r = await runCli({
    name,
    load: { rateRps, durationS: o.durationS, results: true },
    targetUrl: o.targetUrl,
    serverPid: o.serverPid,
    workDir: o.workDir,
    core: o.generatorCore,
    sampleEveryMs: 500,
  });
  const whole = r.summary.metrics.lag;
  if (!whole) throw new Error(`${join(r.runDir, 'summary.json')} has no lag histogram: no request was sent`);
  const startMs = r.summary.run.startMs;
  const steady = steadyLag(join(r.runDir, 'latency.hlog'), startMs + o.warmupS * 1000);
  const t = r.summary.totals;
  const wallS = ((r.samples[r.samples.length - 1]?.atMs ?? 0) - (r.samples[0]?.atMs ?? 0)) / 1000;
  return {
    rateRps,
    p50Ms: whole.p50Ms,
    p99Ms: whole.p99Ms,
    p999Ms: whole.p999Ms,
    maxMs: whole.maxMs,
    steadyP50Ms: steady?.p50Ms ?? NaN,
    steadyP99Ms: steady?.p99Ms ?? NaN,
    steadyP999Ms: steady?.p999Ms ?? NaN,
    steadyMaxMs: steady?.maxMs ?? NaN,
    achievedRps: t.sent / o.durationS,
    ok: t.ok,
    failed: t.errors + t.timeouts + t.cancelled,
    dropped: t.dropped,
    // While sending: the CLI's start-up and final report are left out.
    generatorCpu: cpuShare(r.samples, startMs, startMs + o.durationS * 1000),
    serverCpu: wallS > 0 ? r.serverCpuS / wallS : NaN,
  };
}

/** The `lag` intervals of a run's latency.hlog that start at or after `fromMs`, added up. */
function steadyLag(hlogPath: string, fromMs: number): LatencyStats | undefined {
  const sum = newHistogram();
  for (const interval of readHlog(readFileSync(hlogPath, 'utf8'))) {
    if (interval.tag === 'lag' && interval.startMs >= fromMs) sum.add(interval.histogram);
  }
  return latencyStats(sum);
}

const FLOOR_SCRIPT = fileURLToPath(new URL('./lag-floor.js', import.meta.url));

async function measureFloor(rateRps: number, durationS: number, core: number | undefined): Promise<FloorRun> {
  const child = spawnNodePinned([FLOOR_SCRIPT, '--rate', String(rateRps), '--duration', String(durationS)], core);
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => (out += text));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lag-floor exited with code ${code}`))));
  });
  const { lag, cpuShare } = JSON.parse(out) as { lag: LatencyStats; cpuShare: number };
  return { p50Ms: lag.p50Ms, p99Ms: lag.p99Ms, p999Ms: lag.p999Ms, maxMs: lag.maxMs, cpu: cpuShare };
}

/** The median of every numeric field over `rows` (all of one shape). */
function medianOf<T extends object>(rows: T[]): T {
  const first = rows[0];
  if (!first) throw new Error('no runs to take the median of');
  const out = { ...first };
  for (const key of Object.keys(first) as (keyof T)[]) {
    (out[key] as number) = median(rows.map((r) => r[key] as number));
  }
  return out;
}

const ms = (v: number): string => `${v.toFixed(3)} ms`;
const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;

function formatLagRun(r: LagRun): string {
  return (
    `whole run p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, p99.9 ${ms(r.p999Ms)}, max ${ms(r.maxMs)}; ` +
    `steady p50 ${ms(r.steadyP50Ms)}, p99 ${ms(r.steadyP99Ms)}, p99.9 ${ms(r.steadyP999Ms)}, max ${ms(r.steadyMaxMs)}; ` +
    `sent ${r.achievedRps.toFixed(1)} req/s, ${r.ok} ok, ${r.failed} failed, ${r.dropped} dropped; ` +
    `CPU generator ${pct(r.generatorCpu)}, server ${pct(r.serverCpu)}`
  );
}

/** Markdown tables of the medians per rate, and of the floor. */
export function formatLagReport(report: LagReport): string {
  const o = report.options;
  const lines = [
    `Schedule lag, ${o.durationS} s per run, medians of ${o.repeats} runs; "steady" leaves out the first ${o.warmupS} s:`,
    '',
    '| rate (req/s) | p50 | p99 | p99.9 | max | steady p50 | steady p99 | steady p99.9 | steady max | sent (req/s) | failed | dropped | CPU generator | CPU server |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of report.medians) {
    lines.push(
      `| ${m.rateRps} | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${ms(m.p999Ms)} | ${ms(m.maxMs)} | ` +
        `${ms(m.steadyP50Ms)} | ${ms(m.steadyP99Ms)} | ${ms(m.steadyP999Ms)} | ${ms(m.steadyMaxMs)} | ` +
        `${m.achievedRps.toFixed(1)} | ${m.failed} | ${m.dropped} | ${pct(m.generatorCpu)} | ${pct(m.serverCpu)} |`,
    );
  }
  const f = report.floorMedian;
  lines.push(
    '',
    `Floor: RealClock.sleepUntil alone at ${o.floorRps} req/s for ${o.floorDurationS} s on the same core, median of ${report.floors.length}: ` +
      `p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}, p99.9 ${ms(f.p999Ms)}, max ${ms(f.maxMs)}, CPU ${pct(f.cpu)}.`,
  );
  return lines.join('\n');
}
