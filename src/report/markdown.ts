/**
 * report.md and compare.md: GitHub-flavoured Markdown short enough for a CI job summary. Pure:
 * a string from a model. Every value from outside (names, messages) goes through `mdText`.
 */
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

/** Escapes Markdown punctuation (and `|`, which would split a table cell); line breaks become spaces. */
export function mdText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\`*_[\]<>|#~]/g, (ch) => `\\${ch}`);
}

function mdCell(cell: Cell): string {
  const mark = cell.status === 'pass' ? '✅ ' : cell.status === 'fail' ? '❌ ' : '';
  const text = cell.status !== undefined ? '' : mdText(cell.text);
  const note = cell.note !== undefined ? ` <sub>${mdText(cell.note)}</sub>` : '';
  const ref = cell.ref !== undefined ? ` <sup>${cell.ref}</sup>` : '';
  return `${mark}${text}${note}${ref}`.trim();
}

/** A table; a footnoted one is followed by its numbered notes. */
export function mdTable(table: Table): string {
  const { table: t, footnotes } = numberNotes(table);
  const lines: string[] = [];
  if (t.caption !== undefined) lines.push(`_${mdText(t.caption)}_`, '');
  lines.push(`| ${t.head.map(mdText).join(' | ')} |`);
  lines.push(`|${t.align.map((a) => (a === 'right' ? '---:' : ':---')).join('|')}|`);
  for (const row of t.rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  if (footnotes.length > 0) lines.push('', ...footnotes.map((n, i) => `<sup>${i + 1}</sup> ${mdText(n)}<br>`));
  return lines.join('\n');
}

function details(summary: string, body: string): string {
  return `<details><summary>${mdText(summary)}</summary>\n\n${body}\n\n</details>`;
}

function warningsBlock(warnings: string[], title = 'Warnings'): string[] {
  return warnings.length === 0 ? [] : [`## ${title}`, '', ...warnings.map((w) => `- ⚠️ ${mdText(w)}`), ''];
}

/** The scaling section's body: the figures table, notes, how they were computed, cost. */
export function scalingBlock(scaling: ScalingView): string[] {
  const out: string[] = [];
  if (scaling.steps.length > 0) out.push(mdTable(stepsTable(scaling.steps)), '', `_${mdText(settingsLine(scaling.settings))}_`, '');
  const notes = remainingNotes(scaling.notes, scaling.steps);
  for (const note of notes) out.push(`- ${mdText(note)}`);
  if (notes.length > 0) out.push('');
  if (scaling.cost) out.push(`**cost** ${mdText(costLine(scaling.cost))}`, '');
  return out;
}

/** report.md of one run. */
export function renderMarkdown(model: RunReportModel): string {
  const h = model.header;
  const out: string[] = [];
  const failed = model.thresholds.filter((t) => !t.pass).length;
  const verdict = model.thresholds.length === 0 ? '' : failed === 0 ? ' ✅' : ' ❌';
  out.push(`# ${mdText(h.title)}${verdict}`, '');
  out.push(headerFacts(h).map(([k, v]) => `**${k}** ${mdText(v)}`).join(' · '), '');
  out.push(`**requests** ${mdText(totalsLine(model.totals))}`, '');
  if (model.thresholds.length > 0) {
    const title = failed === 0 ? 'all pass' : `${failed} of ${model.thresholds.length} failed`;
    out.push(`## Thresholds: ${title}`, '', mdTable(thresholdsTable(model.thresholds)), '');
  }
  out.push(...warningsBlock(model.warnings));
  out.push('## Scaling', '', ...scalingBlock(model.scaling));
  out.push('## Latency', '', mdTable(percentileTable(model.metrics)), '');
  if (model.stages.length > 0) {
    out.push('### Per stage', '', mdTable(stageTable(model.stages)), '');
    if (model.stages.length > 1) {
      const perStage = model.stages.map((s) => mdTable(percentileTable(s.metrics, `stage ${s.index} ${s.name}`))).join('\n\n');
      out.push(details('Every metric per stage', perStage), '');
    }
  }
  return out.join('\n');
}

/** compare.md: several runs side by side, the first as the reference of every difference. */
export function renderCompareMarkdown(model: CompareReportModel): string {
  const m = model.compare;
  const out: string[] = [`# ${mdText(model.title)}`, ''];
  out.push(mdTable(compareRunsTable(m)), '');
  out.push(...warningsBlock(compareNotes(model), 'Notes'));
  out.push('## Scaling', '');
  out.push(compareScalingBlock(model), '');
  out.push('## Latency', '', `_${mdText(uncertaintyNote(m))}_`, '', mdTable(comparePercentileTable(m, HEADLINE_METRICS)), '');
  const others = otherMetrics(m);
  if (others.length > 0) out.push(details(others.join(', '), mdTable(comparePercentileTable(m, others))), '');
  return out.join('\n');
}

function compareScalingBlock(model: CompareReportModel): string {
  const table = compareScalingTable(model.compare);
  return table.rows.length > 0 ? mdTable(table) : '_no step in the planned load of any run_';
}
