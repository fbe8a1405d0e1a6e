/**
 * Writing reports: the thin I/O layer over the pure renderers. `writeReports` puts report.md and
 * report.html into a run directory (or `outDir`); `writeComparison` puts compare.md and
 * compare.html into `outDir`.
 */
import { makeDirs } from '../record/run-dir.js';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analysisOptionsFromRun } from '../correlate/enrich.js';
import type { ScalingSummary, ThresholdResult } from '../correlate/types.js';
import { compareRuns, type CompareOptions } from './compare-model.js';
import { renderCompareHtml, renderHtml } from './html.js';
import { loadHtmlAssets } from './html-assets.js';
import { renderCompareMarkdown, renderMarkdown } from './markdown.js';
import { buildCompareReportModel, type CompareReportModel } from './render-compare.js';
import { buildRunReportModel } from './render-run.js';
import type { RunData } from './run-data.js';

export { renderMarkdown, renderCompareMarkdown } from './markdown.js';
export { renderHtml, renderCompareHtml, type HtmlAssets } from './html.js';
export { buildRunReportModel } from './render-run.js';
export { buildCompareReportModel, type CompareReportModel } from './render-compare.js';
export type { RunReportModel } from './render-model.js';
export { loadHtmlAssets } from './html-assets.js';

export const REPORT_FILES = { md: 'report.md', html: 'report.html' } as const;
export const COMPARE_FILES = { md: 'compare.md', html: 'compare.html' } as const;

export interface WriteReportsOptions {
  /** Where to write; the run directory by default. */
  outDir?: string;
  /** Computed by the caller (e.g. enrichSummary); else taken from summary.json, else computed here. */
  scaling?: ScalingSummary;
  thresholds?: ThresholdResult[];
}

export interface WrittenReports {
  md: string;
  html: string;
}

function write(dir: string, files: { md: string; html: string }, md: string, html: string): WrittenReports {
  makeDirs(dir);
  const paths = { md: join(dir, files.md), html: join(dir, files.html) };
  writeFileSync(paths.md, md);
  writeFileSync(paths.html, html);
  return paths;
}

export function writeReports(run: RunData, opts: WriteReportsOptions = {}): WrittenReports {
  const model = buildRunReportModel(run, {
    ...(opts.scaling && { scaling: opts.scaling }),
    ...(opts.thresholds && { thresholds: opts.thresholds }),
  });
  return write(resolve(opts.outDir ?? run.dir), REPORT_FILES, renderMarkdown(model), renderHtml(model, loadHtmlAssets()));
}

/** The comparison's model. The first run's SLO (as its run.json recorded it) applies to all unless `options.slo` is given. */
export function buildComparison(runs: RunData[], options: CompareOptions = {}): CompareReportModel {
  const first = runs[0];
  const slo = options.slo ?? (first && analysisOptionsFromRun(first).slo);
  return buildCompareReportModel(compareRuns(runs, { ...options, ...(slo && { slo }) }));
}

export function writeComparison(runs: RunData[], outDir: string, options: CompareOptions = {}): WrittenReports {
  const model = buildComparison(runs, options);
  return write(resolve(outDir), COMPARE_FILES, renderCompareMarkdown(model), renderCompareHtml(model, loadHtmlAssets()));
}
