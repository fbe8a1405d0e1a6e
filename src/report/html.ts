/**
 * report.html and compare.html: one self-contained page. The chart library (uPlot), the page's
 * script and styles are inlined, the data is inlined as JSON, and a Content-Security-Policy forbids
 * the page any network access (`default-src 'none'`), so it works offline and cannot leak. Pure: a
 * string from a model and the asset texts. Everything inserted goes through `escapeHtml`,
 * `jsonForScript` or `inlineSafe`.
 */
import { escapeHtml, inlineSafe, jsonForScript } from './html-escape.js';
import type { ChartSpec, ChartsModel } from './render-charts.js';
import {
  compareNotes,
  comparePercentileTable,
  compareRunsTable,
  compareScalingTable,
  HEADLINE_METRICS,
  otherMetrics,
  uncertaintyNote,
  type CompareReportModel,
} from './render-compare.js';
import type { RunReportModel, ScalingView } from './render-model.js';
import {
  costLine,
  headerFacts,
  percentileTable,
  settingsLine,
  stageTable,
  numberNotes,
  remainingNotes,
  stepsTable,
  thresholdsTable,
  totalsLine,
  type Cell,
  type Table,
} from './render-tables.js';

/** The texts inlined into every page (see html-assets.ts for where they come from). */
export interface HtmlAssets {
  uplotJs: string;
  uplotCss: string;
  /** Draws the charts from the inlined JSON (assets/report.js). */
  reportJs: string;
  reportCss: string;
  /** Named in the footer, e.g. "uPlot 1.6.32". */
  chartLibrary: string;
}

/** No fetch, no font, no image from anywhere: inline scripts and styles only, images as data: URLs. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const e = escapeHtml;

function htmlCell(cell: Cell, tag: 'td' | 'th', align: string): string {
  // Words, not emoji: a machine without an emoji font (a CI runner, a server) shows emoji as boxes.
  const mark = cell.status !== undefined ? `<span class="status ${cell.status}">${cell.status}</span>` : '';
  const text = cell.status !== undefined ? '' : e(cell.text);
  const note = cell.note !== undefined ? `<span class="note">${e(cell.note)}</span>` : '';
  const ref = cell.ref !== undefined ? `<sup>${cell.ref}</sup>` : '';
  return `<${tag} class="${align}">${mark}${text}${ref}${note}</${tag}>`;
}

/** A table; a footnoted one is followed by its numbered notes. */
export function htmlTable(table: Table): string {
  const { table: t, footnotes } = numberNotes(table);
  const caption = t.caption !== undefined ? `<caption>${e(t.caption)}</caption>` : '';
  const head = `<tr>${t.head.map((h, i) => htmlCell({ text: h }, 'th', t.align[i] ?? 'left')).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => htmlCell(c, 'td', t.align[i] ?? 'left')).join('')}</tr>`).join('\n');
  const notes = footnotes.length > 0 ? `\n<ol class="footnotes">${footnotes.map((n) => `<li>${e(n)}</li>`).join('')}</ol>` : '';
  return `<table>${caption}<thead>${head}</thead><tbody>\n${rows}\n</tbody></table>${notes}`;
}

function chartFigure(spec: ChartSpec): string {
  const toggle = spec.logToggle && !spec.empty ? `<label class="toggle"><input type="checkbox" id="log-${e(spec.id)}"> log scale</label>` : '';
  const body = spec.empty !== undefined ? `<p class="empty">${e(spec.empty)}</p>` : `<div class="plot" id="chart-${e(spec.id)}"></div>`;
  return (
    `<figure class="chart" id="fig-${e(spec.id)}">\n<div class="chart-head"><h3>${e(spec.title)}</h3>${toggle}</div>\n` +
    `${body}\n<figcaption>${e(spec.caption)}</figcaption>\n</figure>`
  );
}

function chartsOf(charts: ChartsModel, ids: (id: string) => boolean): string {
  return charts.charts.filter((c) => ids(c.id)).map(chartFigure).join('\n');
}

function list(items: string[], cls: string): string {
  return items.length === 0 ? '' : `<ul class="${cls}">${items.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`;
}

export function scalingHtml(scaling: ScalingView): string {
  const parts: string[] = [];
  if (scaling.steps.length > 0) parts.push(htmlTable(stepsTable(scaling.steps)), `<p class="muted">${e(settingsLine(scaling.settings))}</p>`);
  parts.push(list(remainingNotes(scaling.notes, scaling.steps), 'notes'));
  if (scaling.cost) parts.push(`<p><strong>cost</strong> ${e(costLine(scaling.cost))}</p>`);
  return parts.filter((p) => p !== '').join('\n');
}

/** The page around a body: inlined styles, data, chart library and script. */
export function htmlPage(title: string, body: string, charts: ChartsModel, assets: HtmlAssets): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${inlineSafe(assets.uplotCss, 'style')}</style>
<style>${inlineSafe(assets.reportCss, 'style')}</style>
</head>
<body>
<main>
${body}
<footer>Made by scalelab. This file is self-contained and works offline; charts drawn with ${e(assets.chartLibrary)}.</footer>
</main>
<script type="application/json" id="report-data">${jsonForScript(charts)}</script>
<script>${inlineSafe(assets.uplotJs, 'script')}</script>
<script>${inlineSafe(assets.reportJs, 'script')}</script>
</body>
</html>
`;
}

function factsHtml(facts: [string, string][]): string {
  return `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl>`;
}

/** report.html of one run. */
export function renderHtml(model: RunReportModel, assets: HtmlAssets): string {
  const h = model.header;
  const failed = model.thresholds.filter((t) => !t.pass).length;
  const verdict =
    model.thresholds.length === 0
      ? ''
      : failed === 0
        ? '<span class="badge pass">thresholds: all pass</span>'
        : `<span class="badge fail">thresholds: ${failed} of ${model.thresholds.length} failed</span>`;
  const isTimeChart = (id: string): boolean => !id.startsWith('dist-');
  const sections = [
    `<header><h1>${e(h.title)} ${verdict}</h1>\n${factsHtml(headerFacts(h))}\n<p class="totals"><strong>requests</strong> ${e(totalsLine(model.totals))}</p></header>`,
    model.thresholds.length > 0 ? `<section id="thresholds"><h2>Thresholds</h2>\n${htmlTable(thresholdsTable(model.thresholds))}</section>` : '',
    model.warnings.length > 0 ? `<section id="warnings"><h2>Warnings</h2>\n${list(model.warnings, 'warnings')}</section>` : '',
    `<section id="timeline"><h2>Timeline</h2>\n<p class="muted">Every chart shares the time axis (seconds since the run started) and the cursor; drag to zoom, double-click to reset.</p>\n${chartsOf(model.charts, isTimeChart)}</section>`,
    `<section id="scaling"><h2>Scaling</h2>\n${scalingHtml(model.scaling)}</section>`,
    `<section id="latency"><h2>Latency</h2>\n${htmlTable(percentileTable(model.metrics))}`,
    model.stages.length > 0 ? `<h3>Per stage</h3>\n${htmlTable(stageTable(model.stages))}` : '',
    model.stages.length > 1
      ? `<details><summary>Every metric per stage</summary>\n${model.stages.map((s) => htmlTable(percentileTable(s.metrics, `stage ${s.index} ${s.name}`))).join('\n')}\n</details>`
      : '',
    `${chartsOf(model.charts, (id) => !isTimeChart(id))}</section>`,
  ];
  return htmlPage(h.title, sections.filter((s) => s !== '').join('\n'), model.charts, assets);
}

/** compare.html: the comparison's tables and the overlaid timelines. */
export function renderCompareHtml(model: CompareReportModel, assets: HtmlAssets): string {
  const m = model.compare;
  const scaling = compareScalingTable(m);
  const notes = compareNotes(model);
  const sections = [
    `<header><h1>${e(model.title)}</h1></header>`,
    `<section id="runs"><h2>Runs</h2>\n${htmlTable(compareRunsTable(m))}</section>`,
    notes.length > 0 ? `<section id="notes"><h2>Notes</h2>\n${list(notes, 'warnings')}</section>` : '',
    `<section id="timeline"><h2>Timelines</h2>\n<p class="muted">Runs overlaid on time since each run started.</p>\n${chartsOf(model.charts, () => true)}</section>`,
    `<section id="scaling"><h2>Scaling</h2>\n${scaling.rows.length > 0 ? htmlTable(scaling) : '<p class="muted">no step in the planned load of any run</p>'}</section>`,
    `<section id="latency"><h2>Latency</h2>\n<p class="muted">${e(uncertaintyNote(m))}</p>\n${htmlTable(comparePercentileTable(m, HEADLINE_METRICS))}`,
    otherMetrics(m).length > 0
      ? `<details><summary>${e(otherMetrics(m).join(', '))}</summary>\n${htmlTable(comparePercentileTable(m, otherMetrics(m)))}\n</details>`
      : '',
    '</section>',
  ];
  return htmlPage(model.title, sections.filter((s) => s !== '').join('\n'), model.charts, assets);
}
