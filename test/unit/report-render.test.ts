/**
 * The renderers' guarantees, apart from the golden files: escaping (HTML text, JSON inside
 * <script>, inlined code), offline-ness of the page (no URL it could fetch, a CSP forbidding it),
 * Markdown table safety, and the chart data (series joined on one axis, the nines axis).
 */
import { describe, expect, test } from 'vitest';
import { escapeHtml, inlineSafe, jsonForScript } from '../../src/report/html-escape.js';
import { buildRunReportModel, loadHtmlAssets, renderHtml, renderMarkdown } from '../../src/report/index.js';
import { joinSeries, ninesToPercentile, percentileCurve, type ChartsModel } from '../../src/report/render-charts.js';
import { mdTable, mdText } from '../../src/report/markdown.js';
import { newHistogram } from '../../src/record/histograms.js';
import { stepUpCloud, stepUpSpec } from '../fixtures/runs/scenarios.js';
import { syntheticRun } from '../fixtures/runs/synthetic.js';
import { stepUpRun, stepUpRunWithoutCloud } from '../fixtures/golden/runs.js';

const HOSTILE = '</script><img src=x onerror=alert(1)> & "q" \u2028|x|';

function hostileRun() {
  const cloud = stepUpCloud();
  cloud.warnings = [`missing permission cloudwatch:DescribeAlarmHistory ${HOSTILE}`];
  cloud.activities = cloud.activities.map((a) => ({ ...a, description: `${a.description} ${HOSTILE}` }));
  return syntheticRun(
    stepUpSpec({ name: `step ${HOSTILE}`, cloud, stages: stepUpSpec().stages.map((s) => ({ ...s, name: `${s.name} ${HOSTILE}` })) }),
    '/runs/hostile',
  );
}

describe('escaping', () => {
  test('escapeHtml escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('jsonForScript cannot close a script element, and parses back to the value', () => {
    const value = { s: '</script><!-- <script>', line: 'a\u2028b\u2029c', n: [1, null] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script|<!--|<script|\u2028|\u2029/i);
    expect(JSON.parse(text)).toEqual(value);
  });

  test('inlineSafe neutralises a closing tag in inlined code', () => {
    expect(inlineSafe('var s = "</SCRIPT>";', 'script')).toBe('var s = "<\\/SCRIPT>";');
    expect(inlineSafe('a::after { content: "</style>" }', 'style')).not.toMatch(/<\/style/i);
  });

  test('hostile names and messages stay text in report.html', () => {
    const html = renderHtml(buildRunReportModel(hostileRun()), loadHtmlAssets());
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    const charts = JSON.parse(json) as ChartsModel;
    expect(charts.charts.find((c) => c.id === 'capacity')?.bands?.[0]?.label).toContain(HOSTILE);
  });

  test('hostile names cannot break report.md tables or inject HTML', () => {
    const md = renderMarkdown(buildRunReportModel(hostileRun()));
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).toContain('\\<img src=x onerror=alert(1)\\>');
    // Every row of a table has as many unescaped separators as the table's header.
    const separators = (line: string): number => line.replace(/\\\|/g, '').split('|').length;
    let header: number | undefined;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        header = undefined;
        continue;
      }
      header ??= separators(line);
      expect(separators(line), line).toBe(header);
    }
    expect(md).not.toContain('\u2028');
    expect(mdText('a|b\nc*d_')).toBe('a\\|b c\\*d\\_');
  });
});

describe('offline', () => {
  const html = renderHtml(buildRunReportModel(stepUpRun()), loadHtmlAssets());

  test('the page forbids itself the network', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
  });

  test('the page references nothing outside itself', () => {
    expect(html).not.toMatch(/<link\b|<iframe\b|<img\b|\bsrc\s*=|\bhref\s*=|@import|url\((?!data:)/i);
    // The only absolute URL is uPlot's licence comment.
    expect([...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0])).toEqual(['https://github.com/leeoniya/uPlot']);
  });

  test('the chart library is inlined whole', () => {
    expect(html).toContain(loadHtmlAssets().uplotJs.slice(0, 200));
    expect(html.length).toBeGreaterThan(50_000);
  });
});

describe('markdown', () => {
  test('a footnoted table numbers each distinct note once', () => {
    const md = mdTable({
      head: ['a', 'b'],
      align: ['left', 'right'],
      footnotes: true,
      rows: [
        [{ text: 'x' }, { text: '—', note: 'no cloud' }],
        [{ text: 'y' }, { text: '—', note: 'no cloud' }],
        [{ text: 'z' }, { text: '—', note: 'other' }],
      ],
    });
    expect(md).toBe(
      [
        '| a | b |',
        '|:---|---:|',
        '| x | — <sup>1</sup> |',
        '| y | — <sup>1</sup> |',
        '| z | — <sup>2</sup> |',
        '',
        '<sup>1</sup> no cloud<br>',
        '<sup>2</sup> other<br>',
      ].join('\n'),
    );
  });

  test('missing figures say why', () => {
    const md = renderMarkdown(buildRunReportModel(stepUpRunWithoutCloud()));
    expect(md).toContain('| ↑ 2 → 8 req/s at 10 s | — | — <sup>1</sup> |');
    expect(md).toMatch(/<sup>1<\/sup> no cloud\.json for this run/);
    expect(md).toContain('❌ | detection\\_s \\< 10');
  });
});

describe('chart data', () => {
  test('joinSeries puts series on one sorted axis with gaps', () => {
    expect(
      joinSeries([
        [
          [2, 20],
          [0, 0],
        ],
        [[1, 10]],
      ]),
    ).toEqual({ x: [0, 1, 2], values: [[0, null, 20], [null, 10, null]] });
  });

  test('the nines axis', () => {
    expect([0, 1, 2, 3, 4].map((x) => Number(ninesToPercentile(x).toFixed(6)))).toEqual([0, 90, 99, 99.9, 99.99]);
  });

  test('a percentile curve stops where the count runs out', () => {
    const h = newHistogram();
    for (let v = 1; v <= 1000; v++) h.recordValue(v * 1000);
    const pts = percentileCurve(h);
    expect(pts[0]).toEqual([0, 1]);
    expect(pts[pts.length - 1]?.[0]).toBe(3);
    expect(pts.find(([x]) => x === 1)?.[1]).toBeCloseTo(900, 0);
    expect(percentileCurve(newHistogram())).toEqual([]);
  });

  test('without cloud data the cloud charts carry a note and no series', () => {
    const charts = buildRunReportModel(stepUpRunWithoutCloud()).charts.charts;
    for (const id of ['capacity', 'cloud-metrics']) {
      const c = charts.find((x) => x.id === id);
      expect(c?.empty).toMatch(/^no cloud data/);
      expect(c?.series).toEqual([]);
    }
  });

  test('capacity carries alarm transitions as markers and activities as bands', () => {
    const c = buildRunReportModel(stepUpRun()).charts.charts.find((x) => x.id === 'capacity');
    expect(c?.markers?.map((m) => [m.xS, m.label])).toEqual([
      [15, 'scale-in alarm ALARM→OK'],
      [22, 'scale-out alarm OK→ALARM'],
      [45, 'scale-out alarm ALARM→OK'],
      [50, 'scale-in alarm OK→ALARM'],
    ]);
    expect(c?.bands?.map((b) => [b.startS, b.endS])).toEqual([
      [23, 35],
      [52, 56],
    ]);
  });
});
