/** The human-readable plan printed by `scalelab validate`. */
import { datasetMeans } from '../workload/dataset.js';
import { describeDistribution, meanTokens, type TokenDistribution } from '../workload/distributions.js';
import type { Profile } from './schema.js';
import type { Schedule, StagePlan } from './types.js';

/** 1500 → "1.5s", 90000 → "1m30s", 3600000 → "1h0m0s". */
export function formatDurationMs(ms: number): string {
  const totalS = ms / 1000;
  if (totalS < 60) return `${Number(totalS.toFixed(3))}s`;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = Number((totalS % 60).toFixed(3));
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

function fmtNumber(x: number): string {
  return String(Number(x.toFixed(2)));
}

function rateOrUsers(stage: StagePlan): string {
  if (stage.mode === 'closed') return `${stage.users ?? 0} users`;
  const from = stage.startRateRps ?? 0;
  const to = stage.endRateRps ?? from;
  return from === to ? `${fmtNumber(from)} req/s` : `${fmtNumber(from)} → ${fmtNumber(to)} req/s`;
}

/** Left-aligned columns separated by two spaces; numeric columns right-aligned. */
function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function distributionLine(d: TokenDistribution): string {
  const mean = meanTokens(d);
  const exact = d.kind === 'fixed' || d.kind === 'uniform';
  return `${describeDistribution(d)}, mean ${exact ? '' : '≈ '}${fmtNumber(mean)} tokens`;
}

/**
 * The plan of a profile: name, seed, duration, request totals, one row per stage, and the workload.
 * `schedule` must be `expandSchedule(profile)`.
 */
export function formatPlan(profile: Profile, schedule: Schedule): string {
  const open = schedule.stages.filter((s) => s.mode === 'open');
  const closed = schedule.stages.filter((s) => s.mode === 'closed');
  const requests = open.reduce((sum, s) => sum + (s.expectedRequests ?? 0), 0);
  const maxUsers = Math.max(0, ...closed.map((s) => s.users ?? 0));

  const totals: string[] = [];
  if (open.length > 0) totals.push(`${requests} requests planned (open loop)`);
  if (closed.length > 0) totals.push(`up to ${maxUsers} concurrent users (closed loop; request count depends on the server)`);

  const lines = [
    `Profile   ${profile.name} (${profile.source.path})`,
    ...(profile.description === '' ? [] : [`          ${profile.description.trim().replace(/\n/g, ' ')}`]),
    `Seed      ${schedule.seed}`,
    `Duration  ${formatDurationMs(schedule.durationMs)} (+ ${profile.gracePeriodS}s grace for in-flight requests)`,
    `Load      ${totals.join('; ')}`,
    `API       ${profile.api}${profile.model === undefined ? '' : `, model ${profile.model}`}${profile.target === undefined ? '' : `, target ${profile.target}`}`,
    '',
    'Stages',
    ...table(
      ['#', 'name', 'start', 'duration', 'mode', 'rate / users', 'requests', 'description'],
      schedule.stages.map((s) => [
        String(s.index),
        s.name,
        formatDurationMs(s.startMs),
        formatDurationMs(s.durationMs),
        s.mode,
        rateOrUsers(s),
        s.expectedRequests === undefined ? '-' : String(s.expectedRequests),
        s.description,
      ]),
      new Set([0, 6]),
    ).map((l) => `  ${l}`),
    '',
    'Workload',
  ];
  const { workload } = profile;
  if (workload.kind === 'synthetic') {
    lines.push(`  input   ${distributionLine(workload.input)}`, `  output  ${distributionLine(workload.output)}`);
  } else {
    const { dataset } = profile.source;
    const means = dataset === undefined ? undefined : datasetMeans(dataset);
    lines.push(
      `  dataset ${workload.dataset.path}${dataset === undefined ? '' : ` (${dataset.inputTokens.length} rows)`}`,
      ...(means === undefined ? [] : [`  input   mean ${fmtNumber(means.input)} tokens`, `  output  mean ${fmtNumber(means.output)} tokens`]),
    );
  }
  if (profile.stages.some((entry) => entry.kind === 'trace')) {
    lines.push('  (trace stages use the token counts of their trace rows)');
  }
  return lines.join('\n');
}
