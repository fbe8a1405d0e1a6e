/**
 * Four shard processes of the built CLI (dist/: `npm run build` first) against one simulator in its
 * own process, merged: the counts are exactly those of one process running the same profile, the
 * merged percentiles agree with the simulator's own timings, and a missing or duplicated shard is
 * refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo, Summary } from '../../src/record/summary.js';
import type { RequestResult } from '../../src/record/types.js';
import type { ServerRequestRecord } from '../../src/sim/server.js';
import { readNdjson, tempDir } from '../helpers/run-helpers.js';
import { startSimProcess, type SimProcess } from '../helpers/sim-process.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');
const N = 4;

/**
 * Lead time before the common start: one CLI process loads in ~2 s here, four at once on this
 * 2-core machine (with the simulator and vitest) take up to ~5 s; a start already past is refused.
 */
const START_LEAD_MS = 8000;

const PROFILE = `name: shards-it
seed: 21
arrivals: { kind: poisson }
stages:
  - { kind: constant, rateRps: 12, durationS: 3 }
  - { kind: constant, rateRps: 28, durationS: 3 }
workload: { input: { kind: fixed, tokens: 64 }, output: { kind: fixed, tokens: 8 } }
gracePeriodS: 10
`;

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The p-th percentile of `values` as HDR ranks it (the value at rank ceil(p% · n)). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

describe('sharded load generation', () => {
  let sim: SimProcess;
  let dir: string;
  let profile: string;
  let shardDirs: string[];
  let truth: ServerRequestRecord[];
  let merged: string;

  beforeAll(async () => {
    sim = await startSimProcess({ model: { batchSlots: 64 } });
    dir = tempDir();
    profile = join(dir, 'shards-it.yaml');
    writeFileSync(profile, PROFILE);
    shardDirs = Array.from({ length: N }, (_, i) => join(dir, `shard-${i}`));
    const startAt = String(Date.now() + START_LEAD_MS);
    const shards = await Promise.all(
      shardDirs.map((out, i) => cli(['run', profile, '--target', sim.url, '--shard', `${i}/${N}`, '--start-at', startAt, '--out', out, '--no-progress'])),
    );
    for (const r of shards) expect(r.status, r.stderr).toBe(0);
    truth = (await sim.groundTruth()).filter((t) => t.outcome === 'ok' && t.firstTokenWriteMs !== undefined);
    merged = join(dir, 'merged');
    const m = await cli(['merge', ...shardDirs, '--out', merged]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain(`merged ${N} shards`);
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
  });

  it('counts per stage exactly those of one process running the same profile', async () => {
    const whole = join(dir, 'whole');
    const one = await cli(['run', profile, '--target', sim.url, '--out', whole, '--no-progress']);
    expect(one.status, one.stderr).toBe(0);
    const sw = json<Summary>(join(whole, 'summary.json'));
    const sm = json<Summary>(join(merged, 'summary.json'));
    const pick = (s: Summary['totals']) => ({ scheduled: s.scheduled, sent: s.sent, ok: s.ok, dropped: s.dropped, errors: s.errors });
    expect(pick(sm.totals)).toEqual(pick(sw.totals));
    expect(sm.totals.ok).toBe(sm.totals.sent);
    expect(sm.stages.map((s) => pick(s.counts))).toEqual(sw.stages.map((s) => pick(s.counts)));
    // …and the plan's exact arrival counts.
    const planned = json<RunInfo>(join(merged, 'run.json')).plan.stages.map((s) => s.expectedRequests);
    expect(sm.stages.map((s) => s.counts.sent)).toEqual(planned);
    expect(truth).toHaveLength(sm.totals.ok);
    console.log(`shards: ${sm.stages.map((s) => s.counts.sent).join(' + ')} requests per stage, one process: ${sw.stages.map((s) => s.counts.sent).join(' + ')}`);
  }, 60_000);

  it('merged percentiles are exact over the shards’ requests and agree with the simulator’s ground truth', () => {
    const sm = json<Summary>(join(merged, 'summary.json'));
    const results = readNdjson<RequestResult>(join(merged, 'results.ndjson')).filter((r) => r.outcome === 'ok');
    expect(results).toHaveLength(sm.totals.ok);
    /*
     * Exactness: the merged histograms hold every shard's requests, so their percentiles equal the
     * exact percentiles of the merged raw results within HDR's precision (3 digits: 0.1%).
     *
     * Ground truth: the client measures from the planned send; the simulator from the request's
     * arrival to the write of the first token (TTFT) or the last byte (e2e). Per request, client span
     * = schedule lag + loopback both ways + the client's parsing + server span, so every client
     * percentile is at least the server's (less HDR's 0.1%). How much more depends on how busy the
     * event loops were: four shard processes, the simulator and vitest's other files share 2 cores
     * here, and tail replies waited up to tens of ms for a busy loop. So the upper bound is checked
     * at the median only: the largest lag plus 10 ms.
     */
    const lagMaxMs = sm.metrics.lag!.maxMs;
    console.log(`schedule lag: p50 ${sm.metrics.lag!.p50Ms} ms, max ${lagMaxMs} ms`);
    const checks = [
      { metric: 'ttft', server: truth.map((t) => t.firstTokenWriteMs! - t.receivedMs), client: results.map((r) => r.firstTokenMs! - r.intendedMs) },
      { metric: 'e2e', server: truth.map((t) => t.lastByteMs! - t.receivedMs), client: results.map((r) => r.endMs - r.intendedMs) },
    ] as const;
    for (const { metric, server, client } of checks) {
      const stats = sm.metrics[metric]!;
      expect(stats.count).toBe(server.length);
      for (const [p, measured] of [[50, stats.p50Ms], [90, stats.p90Ms], [99, stats.p99Ms]] as const) {
        const exact = percentile(client, p);
        const truthMs = percentile(server, p);
        console.log(`${metric} p${p}: merged ${measured} ms, exact ${exact.toFixed(3)} ms, simulator ${truthMs.toFixed(3)} ms`);
        expect(Math.abs(measured - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
        expect(measured).toBeGreaterThanOrEqual(truthMs * 0.999 - 0.001);
        if (p === 50) expect(measured - truthMs).toBeLessThanOrEqual(truthMs * 0.001 + lagMaxMs + 10);
      }
    }
  });

  it('records every shard’s measured start skew, and the merged run reports as any run does', () => {
    const info = json<RunInfo>(join(merged, 'run.json'));
    expect(info.merged?.count).toBe(N);
    const skews = info.merged!.shards.map((s) => s.measuredStartSkewMs!);
    console.log(`measured start skews (ms): ${skews.join(', ')}`);
    expect(info.merged!.shards.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    for (const s of skews) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(100);
    }
    const report = spawnSync(process.execPath, [CLI, 'report', merged], { encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toContain('report.html');
  });

  it('refuses a missing shard and a duplicated shard, naming them', async () => {
    const missing = await cli(['merge', ...shardDirs.slice(0, 3), '--out', join(dir, 'bad')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('shard 3/4 missing');
    const dup = await cli(['merge', ...shardDirs.slice(0, 3), shardDirs[2]!, '--out', join(dir, 'bad')]);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toContain(`shard 2/4 appears 2 times: ${shardDirs[2]}, ${shardDirs[2]}`);
    expect(dup.stderr).not.toMatch(/^\s+at /m);
  });
});
