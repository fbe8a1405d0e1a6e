/**
 * Reading shard run directories for a merge, and the check that they belong together: one profile
 * hash (profile and seed), one shard count N, one start instant, indices 0..N-1 each exactly once.
 * Only the small files are read here (run.json, summary.json, timeline.ndjson); latency.hlog and
 * results.ndjson are streamed by the merge itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, errorMessage } from '../lib/errors.js';
import type { TimelineRow } from '../record/recorder.js';
import { RUN_FILES } from '../record/run-dir.js';
import type { RunInfo, Summary } from '../record/summary.js';
import type { ShardInfo } from '../runner/shard.js';

export interface ShardRun {
  dir: string;
  run: RunInfo & { shard: ShardInfo };
  summary: Summary;
  timeline: TimelineRow[];
}

function readText(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new UserError('run_incomplete', `${path} is missing: is ${dir} a complete scalelab run directory?`);
  return readFileSync(path, 'utf8');
}

function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e: unknown) {
    throw new UserError('run_corrupt', `${path} is not valid JSON (${errorMessage(e)})`);
  }
}

/** A shard's run.json, summary.json and timeline; UserError when a file is missing or it is not a shard run. */
export function readShardRun(path: string): ShardRun {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new UserError('run_missing', `no run directory at ${dir}`);
  const run = parseJson<RunInfo>(join(dir, RUN_FILES.run), readText(dir, RUN_FILES.run));
  if (!run.shard) {
    throw new UserError('merge_not_shard', `${dir} is not a shard run: its run.json has no shard (shards are made with 'scalelab run <profile> --shard i/N --start-at T')`);
  }
  const summary = parseJson<Summary>(join(dir, RUN_FILES.summary), readText(dir, RUN_FILES.summary));
  const timeline = readText(dir, RUN_FILES.timeline)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => parseJson<TimelineRow>(`${join(dir, RUN_FILES.timeline)}:${i + 1}`, l));
  return { dir, run: { ...run, shard: run.shard }, summary, timeline };
}

/** Groups `runs` by a key; more than one group means they disagree. */
function groups(runs: readonly ShardRun[], key: (r: ShardRun) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of runs) out.set(key(r), [...(out.get(key(r)) ?? []), r.dir]);
  return out;
}

function disagreement(what: string, g: Map<string, string[]>): string | undefined {
  if (g.size <= 1) return undefined;
  return `${what} differ:\n${[...g].map(([k, dirs]) => `    ${k}: ${dirs.join(', ')}`).join('\n')}`;
}

/**
 * The runs in shard-index order, when they are exactly the N shards of one run.
 * @throws UserError('merge_mismatch') naming every problem and the directories involved.
 */
export function checkShards(runs: readonly ShardRun[]): ShardRun[] {
  if (runs.length === 0) throw new UserError('merge_mismatch', 'merge needs the run directories of the shards');
  const problems = [
    disagreement('profile hashes (profile and seed)', groups(runs, (r) => `${r.run.shard.profileHash.slice(0, 12)}… (seed ${r.run.profile.seed})`)),
    disagreement('shard counts', groups(runs, (r) => `N = ${r.run.shard.count}`)),
    disagreement('start instants (--start-at)', groups(runs, (r) => new Date(r.run.shard.startAtMs).toISOString())),
  ].filter((p): p is string => p !== undefined);
  if (problems.length === 0) {
    const n = runs[0]?.run.shard.count ?? 0;
    const byIndex = groups(runs, (r) => String(r.run.shard.index));
    for (const [index, dirs] of byIndex) {
      if (dirs.length > 1) problems.push(`shard ${index}/${n} appears ${dirs.length} times: ${dirs.join(', ')}`);
    }
    const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(String(i)));
    if (missing.length > 0) {
      const have = runs.map((r) => `${r.run.shard.index} (${r.dir})`).join(', ');
      problems.push(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing; given: ${have}`);
    }
  }
  if (problems.length > 0) {
    throw new UserError('merge_mismatch', `these runs are not the N shards of one run:\n  ${problems.join('\n  ')}`);
  }
  return [...runs].sort((a, b) => a.run.shard.index - b.run.shard.index);
}
