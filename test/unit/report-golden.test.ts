/**
 * Golden files of the reports: the step-up synthetic run (test/fixtures/runs/scenarios.ts, fixed
 * timestamps, histograms through the real HlogWriter) rendered to Markdown and HTML, alone, without
 * its cloud data, and compared with a faster-scaling variant of itself.
 *
 * To accept a deliberate change of the output, regenerate and review the diff:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/unit/report-golden.test.ts
 *     git diff test/fixtures/golden/
 *
 * The golden HTML inlines the page's own script and styles but a placeholder for uPlot's ~50 kB of
 * minified code, so a uPlot upgrade does not rewrite it (the browser test runs the real library).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildComparison,
  buildRunReportModel,
  loadHtmlAssets,
  renderCompareHtml,
  renderCompareMarkdown,
  renderHtml,
  renderMarkdown,
  type HtmlAssets,
} from '../../src/report/index.js';
import { fasterRun, stepUpRun, stepUpRunWithoutCloud } from '../fixtures/golden/runs.js';

const GOLDEN_DIR = join(import.meta.dirname, '..', 'fixtures', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const goldenAssets = (): HtmlAssets => ({
  ...loadHtmlAssets(),
  uplotJs: '/* uPlot: node_modules/uplot/dist/uPlot.iife.min.js is inlined here */',
  uplotCss: '/* uPlot: node_modules/uplot/dist/uPlot.min.css is inlined here */',
  chartLibrary: 'uPlot',
});

function golden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`${path} is missing: run with UPDATE_GOLDEN=1 to write it, then review it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual, `${name} differs from its golden file; if intended: UPDATE_GOLDEN=1 npx vitest run test/unit/report-golden.test.ts`).toBe(
    readFileSync(path, 'utf8'),
  );
}

describe('report golden files', () => {
  test('report.md and report.html of the step-up run', () => {
    const model = buildRunReportModel(stepUpRun());
    golden('report.md', renderMarkdown(model));
    golden('report.html', renderHtml(model, goldenAssets()));
  });

  test('report.md of the same run without cloud data', () => {
    golden('report-no-cloud.md', renderMarkdown(buildRunReportModel(stepUpRunWithoutCloud())));
  });

  test('compare.md and compare.html of two policies', () => {
    const model = buildComparison([stepUpRun(), fasterRun()], { resamples: 200 });
    golden('compare.md', renderCompareMarkdown(model));
    golden('compare.html', renderCompareHtml(model, goldenAssets()));
  });
});
