/**
 * report.html and compare.html opened in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) from file:// URLs, with every non-file request blocked and recorded. Checks: no
 * request left the file, no console error or page error, every chart with data drew (its uPlot
 * instance exists and its canvas holds pixels of its series' colours), and charts without data
 * show their note instead.
 *
 * .ci/run installs chromium, so in CI (CI set) a missing browser fails the test; locally it is
 * skipped with a message saying how to install it. UPDATE_SCREENSHOT=1 also saves the step-up
 * report's screenshot as docs/report-screenshot.png (the README shows it).
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeComparison, writeReports } from '../../src/report/index.js';
import { loadRun } from '../../src/report/run-data.js';
import type { ChartsModel } from '../../src/report/render-charts.js';
import { stepUpSpec } from '../fixtures/runs/scenarios.js';
import { syntheticRunFiles, writeRunDir } from '../fixtures/runs/synthetic.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present && !process.env.CI) {
  console.warn(`report-browser: ${CHROMIUM} is missing, so the HTML report is not tested in a browser. Install it: apt-get update && apt-get install -y chromium`);
}
const suite = present || process.env.CI ? describe : describe.skip;

/** What the page script sees, typed minimally (the project compiles without the DOM library). */
interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null; querySelector(selector: string): unknown } | null };
  scalelabReport: {
    charts: Record<string, { ctx: { canvas: { width: number; height: number }; getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }>;
  };
}

interface Opened {
  page: Page;
  blocked: string[];
  errors: string[];
}

suite('report.html in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!present) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    dir = mkdtempSync(join(tmpdir(), 'scalelab-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Opened> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const blocked: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
    page.on('requestfailed', (r) => {
      if (!blocked.includes(r.url())) blocked.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, blocked, errors };
  }

  /** Per chart of the page's own JSON: whether uPlot drew it and how many pixels have a series' colour. */
  async function chartStates(page: Page): Promise<{ id: string; empty: boolean; drawn: boolean; seriesPixels: number; noteShown: boolean }[]> {
    return page.evaluate(() => {
      const { document, scalelabReport } = globalThis as unknown as PageGlobals;
      const model = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as ChartsModel;
      const charts = scalelabReport.charts;
      const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      return model.charts.map((spec) => {
        const u = charts[spec.id];
        const fig = document.getElementById(`fig-${spec.id}`);
        let seriesPixels = 0;
        if (u) {
          const canvas = u.ctx.canvas;
          const data = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = spec.series.map((s) => rgb(s.color));
          for (let p = 0; p < data.length; p += 4) {
            if ((data[p + 3] ?? 0) < 200) continue;
            const [r, g, b] = [data[p] ?? 0, data[p + 1] ?? 0, data[p + 2] ?? 0];
            if (colours.some(([cr = 0, cg = 0, cb = 0]) => Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) < 24)) seriesPixels++;
          }
        }
        return {
          id: spec.id,
          empty: spec.empty !== undefined,
          drawn: u !== undefined,
          seriesPixels,
          noteShown: fig?.querySelector('p.empty') !== null,
        };
      });
    });
  }

  function expectClean(o: Opened): void {
    expect(o.blocked, 'the page tried to reach the network').toEqual([]);
    expect(o.errors, 'the page logged errors').toEqual([]);
  }

  test('a run with cloud data: every chart draws, offline, without errors', async () => {
    const runDir = join(dir, 'step-up');
    writeRunDir(runDir, syntheticRunFiles(stepUpSpec()));
    const { html } = writeReports(loadRun(runDir));
    const opened = await open(html);
    const states = await chartStates(opened.page);
    expect(states.map((s) => s.id)).toEqual(['load', 'latency', 'capacity', 'cloud-metrics', 'errors', 'dist-ttft', 'dist-e2e']);
    for (const s of states) {
      expect(s.empty, `${s.id} has data`).toBe(false);
      expect(s.drawn, `${s.id} drew`).toBe(true);
      expect(s.seriesPixels, `${s.id} shows its series`).toBeGreaterThan(50);
    }
    // The log-scale switch redraws the chart.
    await opened.page.check('#log-latency');
    expect((await chartStates(opened.page)).find((s) => s.id === 'latency')?.seriesPixels).toBeGreaterThan(50);
    await opened.page.uncheck('#log-latency');
    const shot = await opened.page.screenshot({ fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(import.meta.dirname, '..', '..', 'docs'), { recursive: true });
      await opened.page.screenshot({ path: join(import.meta.dirname, '..', '..', 'docs', 'report-screenshot.png'), fullPage: true });
    }
    expect(shot.length).toBeGreaterThan(10_000);
    expectClean(opened);
  });

  test('a run without cloud data: the cloud charts say so, the others draw', async () => {
    const { cloud: _cloud, ...spec } = stepUpSpec();
    const runDir = join(dir, 'no-cloud');
    writeRunDir(runDir, syntheticRunFiles(spec));
    const { html } = writeReports(loadRun(runDir));
    const opened = await open(html);
    const states = await chartStates(opened.page);
    for (const s of states) {
      const cloudChart = s.id === 'capacity' || s.id === 'cloud-metrics';
      expect(s.empty, s.id).toBe(cloudChart);
      expect(s.noteShown, s.id).toBe(cloudChart);
      expect(s.drawn, s.id).toBe(!cloudChart);
      if (!cloudChart) expect(s.seriesPixels, s.id).toBeGreaterThan(50);
    }
    expect(await opened.page.textContent('#fig-capacity')).toContain('no cloud data');
    expectClean(opened);
  });

  test('compare.html: the overlaid timelines draw', async () => {
    const a = join(dir, 'cmp-a');
    const b = join(dir, 'cmp-b');
    writeRunDir(a, syntheticRunFiles(stepUpSpec()));
    writeRunDir(b, syntheticRunFiles(stepUpSpec({ name: 'step-up-b' })));
    const { html } = writeComparison([loadRun(a), loadRun(b)], join(dir, 'compare'), { resamples: 100 });
    const opened = await open(html);
    const states = await chartStates(opened.page);
    expect(states.map((s) => s.id)).toEqual(['compare-ttft', 'compare-capacity']);
    for (const s of states) {
      expect(s.drawn, s.id).toBe(true);
      expect(s.seriesPixels, s.id).toBeGreaterThan(50);
    }
    expectClean(opened);
  });
});
