/**
 * summary.json: totals, percentiles per metric overall and per stage. Pure: built from the
 * recorder's snapshot and the run's info, so `scalelab report` can rebuild it later.
 */
import type { Schedule, StagePlan } from '../profile/types.js';
import type { StopReason } from '../runner/stop.js';
import type { ShardInfo } from '../runner/shard.js';
import { completedOf, type BucketStats, type Counts } from './recorder.js';
import { METRICS, type LatencyStats, type Metric } from './histograms.js';

export interface RunInfo {
  tool: { name: string; version: string };
  node: string;
  host: string;
  profile: { name: string; path: string; seed: number; expanded: unknown };
  /** The planned load: stages with their offsets (ms from start) and rates — what step detection reads. */
  plan: { durationMs: number; stages: StagePlan[] };
  target: { kind: string; url?: string; api?: string };
  intervalMs: number;
  /** Facts particular to how the run was made: virtual time, a time scale, the simulator's config… */
  extra?: Record<string, unknown>;
  /** Present when this run sent one shard of the schedule (`run --shard i/N`). */
  shard?: ShardInfo;
  /** Present when this run directory is the merge of shard runs (`scalelab merge`). */
  merged?: MergedInfo;
  startMs: number;
  endMs?: number;
  stopReason?: StopReason;
  stopDetail?: string;
}

/** Where a merged run came from: every shard, in index order. */
export interface MergedInfo {
  count: number;
  profileHash: string;
  startAtMs: number;
  shards: (ShardInfo & { dir: string; host: string; startMs: number; endMs?: number; stopReason?: StopReason })[];
}

export interface CountsSummary extends Counts {
  completed: number;
  /** Failed (error + timeout) over completed. */
  errorRate: number;
  /** Successful requests per second over the window. */
  throughputRps: number;
  outputTokensPerS: number;
}

export interface StageSummary {
  index: number;
  name: string;
  startMs: number;
  endMs: number;
  mode: 'open' | 'closed';
  counts: CountsSummary;
  metrics: Partial<Record<Metric, LatencyStats>>;
}

export interface Summary {
  schemaVersion: 1;
  run: RunInfo & { durationS: number };
  totals: CountsSummary;
  metrics: Partial<Record<Metric, LatencyStats>>;
  stages: StageSummary[];
}

function countsSummary(c: Counts, durationMs: number): CountsSummary {
  const completed = completedOf(c);
  const perS = (n: number): number => (durationMs > 0 ? Math.round((n * 1000 * 1000) / durationMs) / 1000 : 0);
  return {
    ...c,
    completed,
    errorRate: completed > 0 ? Math.round(((c.errors + c.timeouts) / completed) * 1e6) / 1e6 : 0,
    throughputRps: perS(c.ok),
    outputTokensPerS: perS(c.outputTokens),
  };
}

export function buildSummary(info: RunInfo, schedule: Pick<Schedule, 'stages'>, snap: { total: BucketStats; stages: BucketStats[] }): Summary {
  const endMs = info.endMs ?? info.startMs;
  const durationMs = endMs - info.startMs;
  return {
    schemaVersion: 1,
    run: { ...info, durationS: Math.round(durationMs) / 1000 },
    totals: countsSummary(snap.total.counts, durationMs),
    metrics: snap.total.metrics,
    stages: schedule.stages.map((s, i) => {
      const b = snap.stages[i];
      const startMs = info.startMs + s.startMs;
      return {
        index: s.index,
        name: s.name,
        startMs,
        endMs: startMs + s.durationMs,
        mode: s.mode,
        counts: countsSummary(b?.counts ?? snap.total.counts, s.durationMs),
        metrics: b?.metrics ?? {},
      };
    }),
  };
}

const fmtMs = (v: number | undefined): string => (v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

/** The table printed at the end of a run. */
export function formatSummary(s: Summary): string {
  const t = s.totals;
  const lines: string[] = [];
  lines.push(
    `${s.run.profile.name}: ${s.run.durationS.toFixed(1)} s, stop: ${s.run.stopReason ?? 'completed'}${s.run.stopDetail ? ` (${s.run.stopDetail})` : ''}`,
  );
  lines.push(
    `requests: ${t.sent} sent, ${t.ok} ok, ${t.errors} errors, ${t.timeouts} timeouts, ${t.dropped} dropped, ${t.cancelled} cancelled` +
      ` | ${t.throughputRps} req/s ok, ${t.outputTokensPerS} output tok/s`,
  );
  const kinds = Object.entries(t.errorsByKind);
  if (kinds.length > 0) lines.push(`errors by kind: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const rows = [['metric', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max']];
  for (const m of METRICS) {
    const st = s.metrics[m];
    rows.push([m, String(st?.count ?? 0), fmtMs(st?.p50Ms), fmtMs(st?.p90Ms), fmtMs(st?.p99Ms), fmtMs(st?.p999Ms), fmtMs(st?.maxMs)]);
  }
  lines.push('', table(rows));
  if (s.stages.length > 1) {
    const srows = [['stage', 'ok', 'err', 'drop', 'ttft p50', 'ttft p99', 'e2e p50', 'e2e p99']];
    for (const st of s.stages) {
      srows.push([
        `${st.index} ${st.name}`,
        String(st.counts.ok),
        String(st.counts.errors + st.counts.timeouts),
        String(st.counts.dropped),
        fmtMs(st.metrics.ttft?.p50Ms),
        fmtMs(st.metrics.ttft?.p99Ms),
        fmtMs(st.metrics.e2e?.p50Ms),
        fmtMs(st.metrics.e2e?.p99Ms),
      ]);
    }
    lines.push('', table(srows));
  }
  return lines.join('\n');
}
