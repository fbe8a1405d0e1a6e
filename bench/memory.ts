/**
 * Memory over a long run: peak resident memory after `requests` requests, and the resident set
 * at fractions of the way (100k, 250k, 500k, 1M for a million), to show it stays flat as the
 * count grows (DESIGN invariant 2: histograms, not arrays). results.ndjson is on, as by default.
 *
 * Two variants, labelled in the report:
 * - sockets: the real CLI against the trivial server, at the highest rate the pair sustains here;
 * - instant: the same runner and recorder in process with an invoker that answers at once (no
 *   sockets, memory-instant.ts), to isolate the tool's own memory from the connection pool's.
 *
 * Readings come from /proc/<pid>/status (VmRSS, VmHWM) every 250 ms; the request count at each
 * instant comes from the run's timeline.ndjson (requests scheduled per interval).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, runCli, type ChildRun } from './lag-cli.js';
import { MB } from './memory-proc.js';

export interface MemoryOptions {
  requests: number;
  /** Where to read the resident set, as counts of requests (the last should be `requests`). */
  checkpoints: number[];
  socketRateRps: number;
  instantRateRps: number;
  targetUrl: string;
  serverPid: number;
  workDir: string;
  generatorCore: number | undefined;
  log: (line: string) => void;
}

export interface Checkpoint {
  requests: number;
  rssMB: number;
  hwmMB: number;
}

export interface MemoryRun {
  variant: 'sockets' | 'instant';
  rateRps: number;
  requests: number;
  sent: number;
  ok: number;
  dropped: number;
  durationS: number;
  peakRssMB: number;
  checkpoints: Checkpoint[];
  /** Resident-set growth per 100k requests from the second checkpoint to the last (start-up left out). */
  growthMBPer100k: number;
}

const SAMPLE_EVERY_MS = 250;
const INSTANT_SCRIPT = fileURLToPath(new URL('./memory-instant.js', import.meta.url));

export async function benchMemory(o: MemoryOptions): Promise<MemoryRun[]> {
  const sockets = await runCli({
    name: 'memory-sockets',
    load: { rateRps: o.socketRateRps, durationS: o.requests / o.socketRateRps, results: true },
    targetUrl: o.targetUrl,
    serverPid: o.serverPid,
    workDir: o.workDir,
    core: o.generatorCore,
    sampleEveryMs: SAMPLE_EVERY_MS,
  });
  const socketRun = memoryRun('sockets', o.socketRateRps, o, sockets);
  o.log(formatMemoryRun(socketRun));
  const runDir = join(o.workDir, 'memory-instant');
  const instant = await runChild({
    args: [INSTANT_SCRIPT, '--rate', String(o.instantRateRps), '--requests', String(o.requests), '--out', runDir],
    runDir,
    core: o.generatorCore,
    sampleEveryMs: SAMPLE_EVERY_MS,
  });
  const instantRun = memoryRun('instant', o.instantRateRps, o, instant);
  o.log(formatMemoryRun(instantRun));
  return [socketRun, instantRun];
}

function memoryRun(variant: MemoryRun['variant'], rateRps: number, o: MemoryOptions, r: ChildRun): MemoryRun {
  // When the n-th request had been handled: the end of the interval whose running total reached n.
  const reachedAtMs: { requests: number; atMs: number }[] = [];
  let total = 0;
  for (const row of r.timeline) {
    total += row.scheduled;
    reachedAtMs.push({ requests: total, atMs: row.tMs + row.intervalMs });
  }
  const checkpoints = o.checkpoints.map((requests) => {
    const atMs = reachedAtMs.find((x) => x.requests >= requests)?.atMs ?? Number.POSITIVE_INFINITY;
    const sample = r.samples.find((s) => s.atMs >= atMs) ?? r.samples[r.samples.length - 1];
    return { requests, rssMB: (sample?.rssBytes ?? NaN) / MB, hwmMB: (sample?.hwmBytes ?? NaN) / MB };
  });
  const from = checkpoints[1] ?? checkpoints[0];
  const to = checkpoints[checkpoints.length - 1];
  const growthMBPer100k = from && to && to.requests > from.requests ? ((to.rssMB - from.rssMB) * 100_000) / (to.requests - from.requests) : NaN;
  const t = r.summary.totals;
  return {
    variant,
    rateRps,
    requests: o.requests,
    sent: t.sent,
    ok: t.ok,
    dropped: t.dropped,
    durationS: r.summary.run.durationS,
    peakRssMB: Math.max(...r.samples.map((s) => s.hwmBytes)) / MB,
    checkpoints,
    growthMBPer100k,
  };
}

const mb = (v: number): string => `${v.toFixed(1)} MiB`;

function formatMemoryRun(m: MemoryRun): string {
  const points = m.checkpoints.map((c) => `${c.requests / 1000}k ${mb(c.rssMB)}`).join(', ');
  return (
    `memory ${m.variant} at ${m.rateRps} req/s, ${m.requests} requests (${m.sent} sent, ${m.ok} ok, ${m.dropped} dropped) in ${m.durationS.toFixed(0)} s: ` +
    `peak RSS ${mb(m.peakRssMB)}; RSS at ${points}; growth ${m.growthMBPer100k.toFixed(2)} MiB per 100k requests`
  );
}

/** A markdown table: one row per variant. */
export function formatMemoryReport(runs: MemoryRun[]): string {
  const first = runs[0];
  if (!first) return '';
  const lines = [
    `| variant | rate (req/s) | sent / ok / dropped | peak RSS (VmHWM) | ${first.checkpoints.map((c) => `RSS at ${c.requests / 1000}k`).join(' | ')} | growth per 100k |`,
    `|---|---:|---:|---:|${first.checkpoints.map(() => '---:|').join('')}---:|`,
  ];
  for (const m of runs) {
    lines.push(
      `| ${m.variant} | ${m.rateRps} | ${m.sent} / ${m.ok} / ${m.dropped} | ${mb(m.peakRssMB)} | ${m.checkpoints.map((c) => mb(c.rssMB)).join(' | ')} | ${m.growthMBPer100k.toFixed(2)} MiB |`,
    );
  }
  return lines.join('\n');
}
