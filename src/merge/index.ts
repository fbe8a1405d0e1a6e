/**
 * `scalelab merge`: the N shard run directories of one run → one run directory, as if one machine
 * had sent it all (DESIGN invariant 6: reports, comparisons and thresholds read it as they are).
 *
 * - latency.hlog: histograms added interval by interval, and per stage (hlog.ts);
 * - timeline.ndjson: rows added per interval, percentiles from the merged histograms (timeline.ts);
 * - results.ndjson: a streaming merge by endMs (results.ts);
 * - summary.json: rebuilt by the run's own summary builder from the summed counters and merged histograms;
 * - run.json: shard 0's profile, target and plan; start = the common start instant, end = the last
 *   shard's end; `merged` lists every shard with its host and measured start skew.
 *
 * Percentiles come from the log's histograms, as `report` and thresholds read them: a decoded
 * histogram knows its max only to its bucket (the live recorder knows it exactly), so a merged
 * percentile capped at the max can sit below a single process's by less than the HDR precision.
 *
 * Cloud data is not merged: shards' cloud.json (if any) are left out, and `scalelab collect` fetches
 * it once for the merged run's window.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../lib/errors.js';
import { latencyStats, METRICS, type LatencyStats, type Metric, type MetricHistograms } from '../record/histograms.js';
import { RunDirectory, RUN_FILES } from '../record/run-dir.js';
import { buildSummary, type MergedInfo, type RunInfo, type Summary } from '../record/summary.js';
import { CLOUD_FILE } from '../report/run-data.js';
import { sumCounts } from './counts.js';
import { mergeHlogs } from './hlog.js';
import { mergeResults } from './results.js';
import { checkShards, readShardRun, type ShardRun } from './shard-runs.js';
import { mergeTimelines } from './timeline.js';

export interface MergeOutcome {
  dir: string;
  summary: Summary;
  shards: number;
  results: number | undefined;
  /** Shard directories whose cloud.json was left out. */
  cloudSkipped: string[];
}

function metricStats(hs: MetricHistograms): Partial<Record<Metric, LatencyStats>> {
  const out: Partial<Record<Metric, LatencyStats>> = {};
  for (const m of METRICS) {
    const s = latencyStats(hs[m]);
    if (s) out[m] = s;
  }
  return out;
}

function mergedRunInfo(shards: readonly ShardRun[]): RunInfo {
  const first = shards[0];
  if (!first) throw new Error('no shards');
  const { shard, ...base } = first.run;
  const ends = shards.map((s) => s.run.endMs ?? s.run.startMs);
  const stopped = shards.find((s) => (s.run.stopReason ?? 'completed') !== 'completed');
  const merged: MergedInfo = {
    count: shard.count,
    profileHash: shard.profileHash,
    startAtMs: shard.startAtMs,
    shards: shards.map((s) => ({
      ...s.run.shard,
      dir: s.dir,
      host: s.run.host,
      startMs: s.run.startMs,
      ...(s.run.endMs !== undefined && { endMs: s.run.endMs }),
      ...(s.run.stopReason !== undefined && { stopReason: s.run.stopReason }),
    })),
  };
  delete base.stopDetail;
  return {
    ...base,
    host: [...new Set(shards.map((s) => s.run.host))].join(', '),
    startMs: shard.startAtMs,
    endMs: Math.max(...ends),
    stopReason: stopped?.run.stopReason ?? 'completed',
    ...(stopped && { stopDetail: `shard ${stopped.run.shard.index}/${shard.count} (${stopped.dir}): ${stopped.run.stopDetail ?? stopped.run.stopReason}` }),
    merged,
  };
}

/** Merges the shard run directories `dirs` into `outDir`; UserError when they are not the N shards of one run. */
export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<MergeOutcome> {
  const shards = checkShards(dirs.map(readShardRun));
  const out = resolve(outDir);
  const clash = shards.find((s) => s.dir === out);
  if (clash) throw new UserError('merge_out', `--out ${out} is one of the shard directories: choose another`);
  const resultFiles = shards.map((s) => join(s.dir, RUN_FILES.results));
  const present = resultFiles.filter((p) => existsSync(p));
  if (present.length > 0 && present.length < resultFiles.length) {
    const absent = shards.filter((_, i) => !existsSync(resultFiles[i] ?? '')).map((s) => s.dir);
    throw new UserError('run_incomplete', `results.ndjson is missing from ${absent.join(', ')} but present in the other shards`);
  }
  const info = mergedRunInfo(shards);
  // Every shard's intervals are laid out from the common start instant, which is the merged run's start.
  const startAtMs = info.startMs;
  const { stages } = info.plan;

  const dir = new RunDirectory(out);
  const writeHlog = dir.openStream(RUN_FILES.hlog);
  const hlog = mergeHlogs({
    logs: shards.map((s) => readFileSync(join(s.dir, RUN_FILES.hlog), 'utf8')),
    startAtMs,
    intervalMs: info.intervalMs,
    stages,
    write: writeHlog,
  });
  const writeTimeline = dir.openStream(RUN_FILES.timeline);
  const rows = mergeTimelines(shards.map((s) => s.timeline), startAtMs, info.intervalMs, (k) => hlog.intervals.get(k) ?? {});
  for (const row of rows) writeTimeline(JSON.stringify(row) + '\n');
  dir.writeJson(RUN_FILES.run, info);
  const summary = buildSummary(info, { stages }, {
    total: { counts: sumCounts(shards.map((s) => s.summary.totals)), metrics: metricStats(hlog.total) },
    stages: stages.map((_, i) => ({
      counts: sumCounts(shards.flatMap((s) => s.summary.stages[i]?.counts ?? [])),
      metrics: hlog.stages[i] ? metricStats(hlog.stages[i]) : {},
    })),
  });
  dir.writeJson(RUN_FILES.summary, summary);
  await dir.close();
  const results = present.length > 0 ? await mergeResults(present, dir.file(RUN_FILES.results)) : undefined;
  return {
    dir: out,
    summary,
    shards: shards.length,
    results,
    cloudSkipped: shards.filter((s) => existsSync(join(s.dir, CLOUD_FILE))).map((s) => s.dir),
  };
}
