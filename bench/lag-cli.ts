/**
 * One benchmark run of the real CLI (`scalelab run`), the most honest measure of the tool: a
 * generated constant-rate profile, the CLI pinned to its core, its CPU and memory sampled from
 * /proc meanwhile, and the run directory's summary.json and timeline.ndjson read afterwards.
 * `runChild` does the same for any child that writes a run directory (memory-instant.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exited, readProc, sampleProc, spawnNodePinned, type ProcSample } from './memory-proc.js';

/** The load of a benchmark profile: one constant, uniformly spaced stage of two-token answers. */
export interface BenchLoad {
  rateRps: number;
  durationS: number;
  /** results.ndjson on (the default of every profile) or off. */
  results: boolean;
}

/** The profile YAML of a benchmark load; short prompts and answers, so the tool's cost per request dominates. */
export function benchProfileYaml(name: string, load: BenchLoad): string {
  return [
    `name: ${name}`,
    'seed: 1',
    'api: openai-chat',
    'stages:',
    `  - { kind: constant, rateRps: ${load.rateRps}, durationS: ${load.durationS} }`,
    'workload:',
    '  input: { kind: fixed, tokens: 32 }',
    '  output: { kind: fixed, tokens: 2 }',
    'limits: { maxInFlight: 1000, requestTimeoutS: 30 }',
    `recording: { results: ${load.results} }`,
    'gracePeriodS: 5',
    '',
  ].join('\n');
}

/** The parts of summary.json the benchmarks read. */
export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface SummaryFigures {
  run: { startMs: number; durationS: number; stopReason?: string };
  totals: { scheduled: number; sent: number; ok: number; errors: number; timeouts: number; dropped: number; cancelled: number };
  metrics: { lag?: LatencyFigures; e2e?: LatencyFigures };
}

export interface TimelineFigures {
  tMs: number;
  intervalMs: number;
  scheduled: number;
  inFlight: number;
}

/** A benchmark child that writes a run directory, its /proc readings, and what it wrote. */
export interface ChildRun {
  runDir: string;
  summary: SummaryFigures;
  timeline: TimelineFigures[];
  /** The child's /proc readings, `sampleEveryMs` apart, from spawn to exit. */
  samples: ProcSample[];
  /** The server's CPU seconds over the same span (0 without a server). */
  serverCpuS: number;
}

export interface ChildOptions {
  /** Arguments of `node`: the script and its options. */
  args: string[];
  runDir: string;
  core: number | undefined;
  sampleEveryMs: number;
  serverPid?: number;
}

/** Runs a child that writes `runDir`, sampling it meanwhile. Throws when it fails. */
export async function runChild(o: ChildOptions): Promise<ChildRun> {
  const serverBefore = o.serverPid === undefined ? undefined : readProc(o.serverPid);
  const child = spawnNodePinned(o.args, o.core);
  child.stdout?.resume();
  const sampler = sampleProc(child.pid ?? -1, o.sampleEveryMs);
  const exitCode = await exited(child);
  const samples = sampler.stop();
  const serverAfter = o.serverPid === undefined ? undefined : readProc(o.serverPid);
  if (exitCode !== 0) throw new Error(`node ${o.args.join(' ')} exited with code ${exitCode}`);
  const summary = JSON.parse(readFileSync(join(o.runDir, 'summary.json'), 'utf8')) as SummaryFigures;
  const timeline = readFileSync(join(o.runDir, 'timeline.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TimelineFigures);
  return { runDir: o.runDir, summary, timeline, samples, serverCpuS: (serverAfter?.cpuS ?? 0) - (serverBefore?.cpuS ?? 0) };
}

export interface CliRunOptions {
  name: string;
  load: BenchLoad;
  targetUrl: string;
  serverPid: number;
  /** Where the profile and the run directory go. */
  workDir: string;
  core: number | undefined;
  sampleEveryMs: number;
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Runs `scalelab run <generated profile> --target <url> --out <dir> --no-progress` once. */
export function runCli(o: CliRunOptions): Promise<ChildRun> {
  const profilePath = join(o.workDir, `${o.name}.yaml`);
  const runDir = join(o.workDir, o.name);
  mkdirSync(o.workDir, { recursive: true });
  writeFileSync(profilePath, benchProfileYaml(o.name, o.load));
  return runChild({
    args: [CLI, 'run', profilePath, '--target', o.targetUrl, '--out', runDir, '--no-progress'],
    runDir,
    core: o.core,
    sampleEveryMs: o.sampleEveryMs,
    serverPid: o.serverPid,
  });
}

/** CPU use (1 = one full core) between two instants, from the samples nearest inside them. */
export function cpuShare(samples: ProcSample[], fromMs: number, toMs: number): number {
  const inside = samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (!first || !last || last.atMs <= first.atMs) return NaN;
  return (last.cpuS - first.cpuS) / ((last.atMs - first.atMs) / 1000);
}
