/**
 * After a run (and by `scalelab report`): read the run directory back, compute scaling figures and
 * thresholds, write the enriched summary.json, report.md, report.html and optionally JUnit XML,
 * and decide the exit code. Everything comes from the run directory, so it can be redone later.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analysisOptionsFromRun, enrichSummary } from '../correlate/enrich.js';
import type { Figure, ScalingSummary, ThresholdResult } from '../correlate/types.js';
import { RUN_FILES } from '../record/run-dir.js';
import { writeReports, type WrittenReports } from '../report/index.js';
import { thresholdsJunit } from '../report/junit.js';
import { loadRun } from '../report/run-data.js';
import { compareToBaseline } from '../report/thresholds-baseline.js';
import { thresholdsExitCode } from '../report/thresholds.js';
import { EXIT } from './exit-codes.js';

export interface FinalizeOptions {
  /** USD per instance-hour (variant) or copy-hour (inference component), for cost figures. */
  pricePerHour?: number;
  /** A run directory to compare percentiles with; a regression beyond the tolerance fails. */
  baseline?: string;
  baselineTolerancePct?: number;
  /** Where to write JUnit XML of the thresholds. */
  junit?: string;
}

export interface Finalized {
  reports: WrittenReports;
  thresholds: ThresholdResult[];
  scaling: ScalingSummary;
  exitCode: number;
}

export function finalizeRun(dir: string, opts: FinalizeOptions = {}): Finalized {
  const run = loadRun(dir);
  const options = { ...analysisOptionsFromRun(run), ...(opts.pricePerHour !== undefined && { pricePerHour: opts.pricePerHour }) };
  const enriched = enrichSummary(run, options);
  const thresholds = [...enriched.thresholds];
  if (opts.baseline !== undefined) {
    const baseline = loadRun(opts.baseline);
    thresholds.push(...compareToBaseline(run, baseline, opts.baselineTolerancePct === undefined ? {} : { defaultPct: opts.baselineTolerancePct }));
  }
  const summary = { ...enriched, thresholds };
  writeFileSync(resolve(run.dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
  const reports = writeReports({ ...run, summary }, { scaling: enriched.scaling, thresholds });
  if (opts.junit !== undefined) writeFileSync(opts.junit, thresholdsJunit(thresholds, { runName: run.run.profile.name }));
  return { reports, thresholds, scaling: enriched.scaling, exitCode: thresholds.length === 0 ? EXIT.ok : thresholdsExitCode(thresholds) };
}

/** Lines for the terminal: one per threshold, ✓ or ✗ with the actual value. */
export function formatThresholds(results: readonly ThresholdResult[]): string {
  if (results.length === 0) return '';
  const lines = results.map((r) => {
    const actual = r.actual === null ? `n/a (${r.reason ?? 'no value'})` : `${round(r.actual)}${r.unit === 'ms' || r.unit === 's' ? ` ${r.unit}` : ''}`;
    return `  ${r.pass ? '✓' : '✗'} ${r.expression}  — actual ${actual}`;
  });
  const failed = results.filter((r) => !r.pass).length;
  return [`thresholds: ${results.length - failed} of ${results.length} hold`, ...lines].join('\n');
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** yargs options shared by run, simulate and report. */
export const FINALIZE_CLI_OPTIONS = {
  'price-per-hour': { type: 'number', describe: 'USD per instance-hour (or copy-hour) for the cost figures' },
  baseline: { type: 'string', describe: 'a run directory: fail (exit 99) when a percentile regresses beyond the tolerance' },
  'baseline-tolerance': { type: 'number', describe: 'allowed regression against --baseline, % (default 10)' },
  junit: { type: 'string', describe: 'write the thresholds as JUnit XML to this file' },
} as const;

export interface FinalizeArgs {
  'price-per-hour'?: number;
  baseline?: string;
  'baseline-tolerance'?: number;
  junit?: string;
}

export function finalizeOptionsFrom(args: FinalizeArgs): FinalizeOptions {
  return {
    ...(args['price-per-hour'] !== undefined && { pricePerHour: args['price-per-hour'] }),
    ...(args.baseline !== undefined && { baseline: args.baseline }),
    ...(args['baseline-tolerance'] !== undefined && { baselineTolerancePct: args['baseline-tolerance'] }),
    ...(args.junit !== undefined && { junit: args.junit }),
  };
}

/** One line per load step with its scaling figures, for the terminal (report.md has the full table). */
export function formatScaling(scaling: ScalingSummary): string {
  const fig = (f: Figure): string => (f.value === null ? '—' : `${f.value.toFixed(1)} s`);
  const lines = scaling.steps.map((s) => {
    const head = `${s.direction === 'up' ? '↑' : '↓'} ${s.step.fromRps} → ${s.step.toRps} req/s at ${s.step.offsetS.toFixed(0)} s`;
    const capacity = s.capacityBefore !== null && s.capacityTarget !== null ? `, capacity ${s.capacityBefore} → ${s.capacityTarget}` : '';
    return s.direction === 'up'
      ? `  ${head}${capacity}: detection ${fig(s.detectionS)}, reaction ${fig(s.reactionS)}, capacity ready ${fig(s.capacityReadyS)}, recovery ${fig(s.recoveryS)}`
      : `  ${head}${capacity}: detection ${fig(s.detectionS)}, reaction ${fig(s.reactionS)}, capacity released ${fig(s.capacityReleasedS)}`;
  });
  return lines.length === 0 ? '' : ['scaling (times from each step; — = not measured, see report.md):', ...lines].join('\n');
}
