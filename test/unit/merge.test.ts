/**
 * Merging shard run directories: made in virtual time against a scripted server whose latency is a
 * function of the request alone, so two shards and one whole run see every request identically and
 * the merge must reproduce the whole run exactly: histograms bucket for bucket, timeline rows, counts.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { UserError } from '../../src/lib/errors.js';
import { mergeRuns } from '../../src/merge/index.js';
import { readHlog } from '../../src/record/hlog.js';
import { newHistogram } from '../../src/record/histograms.js';
import type { TimelineRow } from '../../src/record/recorder.js';
import type { RequestResult } from '../../src/record/types.js';
import type { RunInfo } from '../../src/record/summary.js';
import { executeRun } from '../../src/runner/run.js';
import type { ShardSpec } from '../../src/runner/shard.js';
import { ScriptedInvoker } from '../helpers/scripted-invoker.js';
import { stepSchedule } from '../helpers/simple-schedule.js';
import { driveVirtual } from '../helpers/virtual-run.js';

const T0 = 1_800_000_000_000;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'scalelab-merge-'));
const schedule = stepSchedule([{ rateRps: 20, durationS: 2 }, { rateRps: 50, durationS: 2 }, { rateRps: 10, durationS: 1 }]);

async function runAs(shard: ShardSpec | undefined, hash = 'abc'): Promise<string> {
  const clock = new VirtualClock(T0 - 500);
  // Latency depends on the request only: every run sees request `seq` take the same time.
  const invoker = new ScriptedInvoker(clock, (req) => ({ ttftMs: 40 + ((req.seq * 37) % 300), tokens: 3 + (req.seq % 5), itlMs: 5 + (req.seq % 7) }));
  const outDir = tmp();
  await driveVirtual(
    clock,
    executeRun({
      schedule, invoker, clock, outDir,
      limits: { maxInFlight: 1000, gracePeriodS: 5 },
      intervalMs: 1000,
      writeResults: true,
      startAtMs: T0,
      runInfo: {
        tool: { name: 'scalelab', version: 'test' }, node: process.version, host: shard ? `host-${shard.index}` : 'one',
        profile: { name: 'm', path: 'm.yaml', seed: 1, expanded: {} },
        plan: { durationMs: schedule.durationMs, stages: schedule.stages }, target: { kind: 'scripted' }, intervalMs: 1000,
        ...(shard && { shard: { ...shard, profileHash: hash, startAtMs: T0, maxInFlight: 500 } }),
      },
    }),
  );
  return outDir;
}

const ndjson = <T>(path: string): T[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Bucket counts of a histogram, as [value, count] pairs. */
function buckets(h: Histogram): [number, number][] {
  const out: [number, number][] = [];
  const acc = newHistogram();
  acc.add(h);
  const it = (acc as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push([v.valueIteratedTo, v.countAtValueIteratedTo]);
  }
  return out;
}

/**
 * A log's histogram keeps its max only to its bucket, where the recorder's live one knows it
 * exactly; percentiles are capped at the max, so one read from the log (as the merge, `report` and
 * thresholds do) can sit below the live one by less than the HDR precision (3 digits: 0.1%).
 */
function expectWithinHdr(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && /(P\d+Ms|p\d+Ms|maxMs|minMs)$/.test(path)) {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(expected * 0.001);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectWithinHdr((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

const hlogOf = (dir: string) => readHlog(readFileSync(join(dir, 'latency.hlog'), 'utf8')).map((i) => ({ tag: i.tag, startMs: Math.round(i.startMs), endMs: Math.round(i.endMs), buckets: buckets(i.histogram), count: i.histogram.totalCount }));

describe('merge', () => {
  it('two shards merge into exactly the run one process makes: histograms, timeline, counts, results', async () => {
    const [whole, s0, s1] = await Promise.all([runAs(undefined), runAs({ index: 0, count: 2 }), runAs({ index: 1, count: 2 })]);
    const out = join(tmp(), 'merged');
    // Given in any order.
    const merged = await mergeRuns([s1, s0], out);
    expect(merged.shards).toBe(2);

    // latency.hlog: the same tags and intervals, bucket for bucket (HDR addition is exact).
    const [h0, h1] = [hlogOf(s0), hlogOf(s1)];
    const hm = hlogOf(out);
    expect(hm).toEqual(hlogOf(whole));
    for (const i of hm) {
      const parts = [...h0, ...h1].filter((x) => x.tag === i.tag && x.startMs === i.startMs);
      expect(parts.reduce((n, x) => n + x.count, 0)).toBe(i.count);
    }
    expect(hm.filter((i) => i.tag === 'ttft.stage1')[0]?.count).toBe(100);

    // timeline.ndjson: counters summed per interval, percentiles of the merged histograms.
    const tm = ndjson<TimelineRow>(join(out, 'timeline.ndjson'));
    expectWithinHdr(tm, ndjson<TimelineRow>(join(whole, 'timeline.ndjson')));
    const t0 = ndjson<TimelineRow>(join(s0, 'timeline.ndjson'));
    const t1 = ndjson<TimelineRow>(join(s1, 'timeline.ndjson'));
    tm.forEach((row, k) => expect(row.sent).toBe((t0[k]?.sent ?? 0) + (t1[k]?.sent ?? 0)));
    expect(tm.map((r) => r.offeredRps).slice(0, 5)).toEqual([20, 20, 50, 50, 10]);

    // summary.json: the same totals and percentiles as the single process's.
    const sw = json<{ totals: unknown; metrics: unknown; stages: { counts: unknown; metrics: unknown }[] }>(join(whole, 'summary.json'));
    expect(merged.summary.totals).toEqual(sw.totals);
    expectWithinHdr(merged.summary.metrics, sw.metrics);
    expect(merged.summary.stages.map((s) => s.counts)).toEqual(sw.stages.map((s) => s.counts));
    expectWithinHdr(merged.summary.stages.map((s) => s.metrics), sw.stages.map((s) => s.metrics));
    expect(merged.summary.totals).toMatchObject({ sent: 150, ok: 150 });

    // results.ndjson: every request once, in end order.
    const rm = ndjson<RequestResult>(join(out, 'results.ndjson'));
    expect(merged.results).toBe(150);
    expect(rm.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    for (let i = 1; i < rm.length; i++) expect(rm[i]!.endMs).toBeGreaterThanOrEqual(rm[i - 1]!.endMs);

    // run.json: the common start, the last end, every shard listed.
    const info = json<RunInfo>(join(out, 'run.json'));
    expect(info.startMs).toBe(T0);
    expect(info.endMs).toBe(Math.max(json<RunInfo>(join(s0, 'run.json')).endMs!, json<RunInfo>(join(s1, 'run.json')).endMs!));
    expect(info.shard).toBeUndefined();
    expect(info.host).toBe('host-0, host-1');
    expect(info.merged?.shards.map((s) => [s.index, s.dir, s.measuredStartSkewMs])).toEqual([[0, s0, 0], [1, s1, 0]]);
  });

  it('refuses a missing shard, a duplicated shard, shards of another profile and a run that is no shard', async () => {
    const [s0, s1, other, whole] = await Promise.all([
      runAs({ index: 0, count: 2 }), runAs({ index: 1, count: 2 }), runAs({ index: 1, count: 2 }, 'def'), runAs(undefined),
    ]);
    const refusal = async (dirs: string[]): Promise<string> => {
      const e = await mergeRuns(dirs, join(tmp(), 'merged')).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(UserError);
      return (e as UserError).message;
    };
    expect(await refusal([s0])).toMatch(/shard 1\/2 missing; given: 0 \(.*\)/);
    const copy = join(tmp(), 'copy');
    cpSync(s0, copy, { recursive: true });
    const dup = await refusal([s0, copy]);
    expect(dup).toContain(`shard 0/2 appears 2 times: ${s0}, ${copy}`);
    expect(dup).toContain('shard 1/2 missing');
    const mismatch = await refusal([s0, other]);
    expect(mismatch).toMatch(/profile hashes \(profile and seed\) differ/);
    expect(mismatch).toContain(other);
    expect(await refusal([s0, whole])).toContain(`${whole} is not a shard run`);
    const broken = join(tmp(), 'broken');
    cpSync(s1, broken, { recursive: true });
    writeFileSync(join(broken, 'summary.json'), '{');
    expect(await refusal([s0, broken])).toContain(join(broken, 'summary.json'));
  });
});
