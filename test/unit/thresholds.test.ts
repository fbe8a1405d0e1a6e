import { describe, expect, it } from 'vitest';
import { analysisOptionsFromRun, enrichSummary } from '../../src/correlate/enrich.js';
import { scalingFigures } from '../../src/correlate/figures.js';
import type { ThresholdResult } from '../../src/correlate/types.js';
import { UserError } from '../../src/lib/errors.js';
import { parseProfile } from '../../src/profile/load.js';
import { thresholdsJunit, xmlEscape } from '../../src/report/junit.js';
import { compareToBaseline } from '../../src/report/thresholds-baseline.js';
import { parseThreshold, ThresholdSyntaxError, VALID_METRICS } from '../../src/report/thresholds-schema.js';
import { EXIT_THRESHOLDS_FAILED, evaluateThresholds, thresholdsExitCode } from '../../src/report/thresholds.js';
import { stepUpInterval, stepUpSpec, TTFT_OK_MS, TTFT_SLOW_MS } from '../fixtures/runs/scenarios.js';
import { syntheticRun } from '../fixtures/runs/synthetic.js';

const INLINE = 'test.yaml';
const STAGES = 'stages: [{ kind: constant, rateRps: 1, durationS: 1 }]\n';

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e: unknown) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('threshold grammar', () => {
  it.each([
    ['ttft.p99 < 2000', { metricName: 'ttft.p99', target: { kind: 'latency', metric: 'ttft', stat: { kind: 'percentile', p: 99 } }, op: '<', value: 2000, unit: 'ms' }],
    ['e2e.p95 <= 8s', { metricName: 'e2e.p95', target: { kind: 'latency', metric: 'e2e', stat: { kind: 'percentile', p: 95 } }, op: '<=', value: 8000, unit: 'ms' }],
    ['itl.p99.9<50', { metricName: 'itl.p99.9', target: { kind: 'latency', metric: 'itl', stat: { kind: 'percentile', p: 99.9 } }, op: '<', value: 50, unit: 'ms' }],
    ['tpot.mean <= 40', { metricName: 'tpot.mean', target: { kind: 'latency', metric: 'tpot', stat: { kind: 'mean' } }, op: '<=', value: 40, unit: 'ms' }],
    ['stage[1].ttft.p99 < 3000', { stage: 1, metricName: 'ttft.p99', op: '<', value: 3000 }],
    ['stage[step].ttft.p99 < 3000', { stage: 'step', op: '<', value: 3000 }],
    ['stage["spike: before"].error_rate == 0', { stage: 'spike: before', target: { kind: 'counter', name: 'error_rate' }, op: '==', value: 0, unit: 'ratio' }],
    ['error_rate < 1%', { target: { kind: 'counter', name: 'error_rate' }, value: 0.01 }],
    ['goodput_rps > 5', { target: { kind: 'counter', name: 'goodput_rps' }, op: '>', value: 5, unit: 'rps' }],
    ['dropped == 0', { target: { kind: 'counter', name: 'dropped' }, op: '==', value: 0, unit: 'count' }],
    ['detection_s < 90', { target: { kind: 'scaling', name: 'detection_s' }, value: 90, unit: 's' }],
    ['capacity_ready_s < 600', { target: { kind: 'scaling', name: 'capacity_ready_s' }, value: 600 }],
    ['recovery_s < 90000ms', { target: { kind: 'scaling', name: 'recovery_s' }, value: 90 }],
    ['stage[1].detection_s != 0', { stage: 1, op: '!=' }],
    ['cost_per_mtok_usd <= 1.5e1', { target: { kind: 'scaling', name: 'cost_per_mtok_usd' }, value: 15, unit: 'usd' }],
  ])('%s', (text, expected) => {
    expect(parseThreshold(text)).toMatchObject({ expression: text, ...expected });
  });

  it.each([
    ['ttf.p99 < 2000', `unknown metric "ttf.p99"; valid metrics: ${VALID_METRICS}`],
    ['ttft.p999 < 2000', 'unknown statistic "p999" of ttft; expected p<N> with 0 < N ≤ 100 (p50, p95, p99, p99.9), mean, min or max'],
    ['ttft.p99 2000', 'cannot read "ttft.p99 2000": expected "[stage[<index|name>].]<metric> <op> <number>", e.g. "ttft.p99 < 2000", "stage[1].e2e.p95 <= 8000", "error_rate < 0.01", "detection_s < 90"; ops: <= >= == != < >'],
    ['ttft.p99 =< 2000', 'cannot read "ttft.p99 =< 2000"'],
    ['dropped == 0 s', 'unit "s" does not apply to dropped (measured in count); write a plain number'],
    ['stage[].ttft.p99 < 1', 'stage[] needs a stage index or name, e.g. stage[1] or stage[step]'],
    ['stage[1].cost_usd < 1', 'cost_usd is a whole-run figure: remove "stage[1]."'],
  ])('rejects %s', (text, message) => {
    expect(() => parseThreshold(text)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(text)).toThrow(message);
  });
});

describe('thresholds and slo in the profile', () => {
  it('parses strings and objects, with defaults', () => {
    const p = parseProfile(`${STAGES}slo: { ttftMs: 800 }\nthresholds:\n  - "ttft.p99 < 2000"\n  - { metric: e2e.p95, op: "<=", value: 8000, stage: 0 }\n`, INLINE);
    expect(p.thresholds.map((t) => t.expression)).toEqual(['ttft.p99 < 2000', 'stage[0].e2e.p95 <= 8000']);
    expect(p.slo).toEqual({ ttftMs: 800, metric: 'ttft', recoveryIntervals: 3 });
    expect(parseProfile(STAGES, INLINE).thresholds).toEqual([]);
  });

  it('names the file, line, field and what is expected', () => {
    const err = userError(() => parseProfile(`${STAGES}thresholds:\n  - "ttft.p99 < 2000"\n  - "error_rate < 0.01"\n  - "ttf.p99 < 5"\n`, INLINE));
    expect(err.message).toBe(`${INLINE}:5:5: thresholds[2]: unknown metric "ttf.p99"; valid metrics: ${VALID_METRICS}`);
  });

  it('rejects thresholds that need an SLO the profile lacks', () => {
    const err = userError(() => parseProfile(`${STAGES}thresholds: ["goodput_rps > 5", "slo_violation_s < 10"]\n`, INLINE));
    expect(err.message).toBe(
      [
        `${INLINE}:2:14: thresholds[0]: goodput_rps counts requests meeting the SLO: set slo: { ttftMs: …, e2eMs: … } (either or both)`,
        `${INLINE}:2:33: thresholds[1]: slo_violation_s needs slo.ttftMs (the SLO that slo.metric ttft watches)`,
      ].join('\n'),
    );
  });

  it('rejects a bad object entry and unknown slo fields', () => {
    expect(userError(() => parseProfile(`${STAGES}thresholds: [{ metric: ttft.p99, op: "<<", value: 1 }]\n`, INLINE)).message).toContain(
      'thresholds[0]',
    );
    expect(userError(() => parseProfile(`${STAGES}slo: { ttft: 5 }\n`, INLINE)).message).toContain('slo: unknown field "ttft"');
  });
});

describe('evaluating thresholds', () => {
  const run = syntheticRun(stepUpSpec());
  const slo = { ttftMs: 500, metric: 'ttft' as const, recoveryIntervals: 3 };
  const scaling = scalingFigures(run, { slo, pricePerHour: 3.6 });
  const evaluate = (...texts: string[]): ThresholdResult[] => evaluateThresholds(run, texts.map(parseThreshold), scaling, slo);
  const brief = (rs: ThresholdResult[]) => rs.map((r) => [r.expression, r.actual, r.pass, r.reason]);

  it('reads latency overall and per stage from the histograms', () => {
    expect(brief(evaluate('ttft.p50 < 200', 'ttft.p99 < 2000', 'ttft.p80 < 500', 'stage[baseline].ttft.max <= 100.031', 'stage[1].e2e.p99 < 6000'))).toEqual([
      ['ttft.p50 < 200', TTFT_OK_MS, true, undefined],
      ['ttft.p99 < 2000', TTFT_SLOW_MS, true, undefined],
      // 144 of 300 TTFTs are slow: the 80th percentile is one of them.
      ['ttft.p80 < 500', TTFT_SLOW_MS, false, '1000.447 ms is not < 500 ms'],
      ['stage[baseline].ttft.max <= 100.031', TTFT_OK_MS, true, undefined],
      ['stage[1].e2e.p99 < 6000', 6004.735, false, '6004.735 ms is not < 6000 ms'],
    ]);
  });

  it('reads counters, goodput and scaling figures', () => {
    // 300 ok, 4 failed; 144 of the ok over the 500 ms SLO → goodput (300 − 144) / 60 s.
    expect(brief(evaluate('error_rate < 0.01', 'dropped == 0', 'goodput_rps > 2', 'stage[step].errors == 3', 'detection_s < 90', 'capacity_ready_s < 20', 'recovery_s <= 18', 'release_s < 60', 'cost_usd < 0.1', 'slo_violation_s < 30'))).toEqual([
      ['error_rate < 0.01', 0.013158, false, '0.013158 ratio is not < 0.01 ratio'],
      ['dropped == 0', 0, true, undefined],
      ['goodput_rps > 2', 2.6, true, undefined],
      ['stage[step].errors == 3', 3, true, undefined],
      ['detection_s < 90', 12, true, undefined],
      ['capacity_ready_s < 20', 25, false, '25 s is not < 20 s'],
      ['recovery_s <= 18', 18, true, undefined],
      ['release_s < 60', 15, true, undefined],
      ['cost_usd < 0.1', 0.08, true, undefined],
      ['slo_violation_s < 30', 18, true, undefined],
    ]);
  });

  it('fails, with the reason, when a value is unavailable', () => {
    const { cloud: _, ...noCloud } = run;
    const bare = scalingFigures(noCloud, { slo });
    const rs = evaluateThresholds(noCloud, ['detection_s < 90', 'cost_usd < 1', 'stage[nope].ttft.p99 < 1', 'stage[0].detection_s < 1'].map(parseThreshold), bare, slo);
    expect(brief(rs)).toEqual([
      ['detection_s < 90', null, false, 'step 0 at +10 s: no cloud.json for this run (cloud data not collected: run `scalelab collect`)'],
      ['cost_usd < 1', null, false, 'no capacity samples (no cloud data): no cost'],
      ['stage[nope].ttft.p99 < 1', null, false, 'no stage "nope" in this run; stages: 0 "baseline", 1 "step", 2 "recovery"'],
      ['stage[0].detection_s < 1', null, false, 'no step up at the start of stage 0, so no detection_s'],
    ]);
    const silent = syntheticRun(stepUpSpec({ interval: (k) => ({ ...stepUpInterval(k), latencyMs: {} }) }));
    expect(brief(evaluateThresholds(silent, [parseThreshold('itl.p99 < 50')], bare))).toEqual([
      ['itl.p99 < 50', null, false, 'no itl samples (no successful request)'],
    ]);
  });

  it('maps results to the exit code', () => {
    expect(EXIT_THRESHOLDS_FAILED).toBe(99);
    expect(thresholdsExitCode(evaluate('dropped == 0'))).toBe(0);
    expect(thresholdsExitCode(evaluate('dropped == 0', 'dropped > 0'))).toBe(99);
    expect(thresholdsExitCode([])).toBe(0);
  });

  it('enrichSummary adds scaling and thresholds, reading them back from run.json', () => {
    const options = analysisOptionsFromRun(run);
    expect(options.thresholds.map((t) => t.expression)).toEqual(['ttft.p99 < 2000', 'detection_s < 10']);
    const s = enrichSummary(run, options);
    expect(s.totals).toEqual(run.summary.totals);
    expect(s.scaling.steps.map((x) => x.direction)).toEqual(['up', 'down']);
    expect(brief(s.thresholds)).toEqual([
      ['ttft.p99 < 2000', TTFT_SLOW_MS, true, undefined],
      ['detection_s < 10', 12, false, '12 s is not < 10 s'],
    ]);
  });
});

describe('compareToBaseline', () => {
  const baseline = syntheticRun(stepUpSpec());
  const slower = syntheticRun(
    stepUpSpec({ interval: (k) => ({ ...stepUpInterval(k), ...(k >= 10 && k <= 27 && { latencyMs: { ttft: 1300.479, e2e: 6004.735, itl: 20.479, tpot: 20.479 } }) }) }),
  );

  it('passes a run against itself', () => {
    const rs = compareToBaseline(baseline, baseline);
    expect(rs.length).toBe(10);
    expect(rs.every((r) => r.pass && r.source === 'baseline')).toBe(true);
  });

  it('fails a percentile that rose beyond the tolerance, per metric', () => {
    const rs = compareToBaseline(slower, baseline, { metrics: ['ttft.p50', 'ttft.p99'], perMetricPct: { 'ttft.p50': 5 }, stages: true });
    expect(rs.map((r) => [r.expression, r.actual, r.pass, r.reason])).toEqual([
      ['ttft.p50 <= 105.033 (baseline 100.031 ms + 5%)', TTFT_OK_MS, true, undefined],
      ['ttft.p99 <= 1100.492 (baseline 1000.447 ms + 10%)', 1300.479, false, "regressed 29.99% from the baseline's 1000.447 ms, more than the 10% allowed"],
      ['stage[0].ttft.p50 <= 105.033 (baseline 100.031 ms + 5%)', TTFT_OK_MS, true, undefined],
      ['stage[0].ttft.p99 <= 110.034 (baseline 100.031 ms + 10%)', TTFT_OK_MS, true, undefined],
      ['stage[1].ttft.p50 <= 1050.469 (baseline 1000.447 ms + 5%)', 1300.479, false, "regressed 29.99% from the baseline's 1000.447 ms, more than the 5% allowed"],
      ['stage[1].ttft.p99 <= 1100.492 (baseline 1000.447 ms + 10%)', 1300.479, false, "regressed 29.99% from the baseline's 1000.447 ms, more than the 10% allowed"],
      ['stage[2].ttft.p50 <= 105.033 (baseline 100.031 ms + 5%)', TTFT_OK_MS, true, undefined],
      ['stage[2].ttft.p99 <= 110.034 (baseline 100.031 ms + 10%)', TTFT_OK_MS, true, undefined],
    ]);
    expect(compareToBaseline(slower, baseline, { defaultPct: 50, metrics: ['ttft.p99'] })[0]?.pass).toBe(true);
  });
});

/** Well-formedness: every tag closes in order, attributes are quoted, no raw `<` or `&` in text. */
function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, close, name, , selfClose, text] = m;
    if (text !== undefined) {
      expect(text.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toMatch(/[<&]/);
    } else if (close) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClose) {
      stack.push(name ?? '');
    }
  }
  expect(consumed).toBe(body.length);
  expect(stack).toEqual([]);
}

describe('JUnit XML', () => {
  const results: ThresholdResult[] = [
    { expression: 'ttft.p99 < 2000', source: 'threshold', unit: 'ms', op: '<', expected: 2000, actual: 812.5, pass: true },
    { expression: 'stage["a&b"].e2e.p95 <= 8000', source: 'threshold', unit: 'ms', op: '<=', expected: 8000, actual: 9100, pass: false, reason: '9100 ms is not <= 8000 ms' },
    { expression: 'detection_s < 90', source: 'threshold', unit: 's', op: '<', expected: 90, actual: null, pass: false, reason: 'step 0 at +10 s: no <alarm> \'read\'' },
    { expression: 'ttft.p99 <= 1100 (baseline 1000 ms + 10%)', source: 'baseline', unit: 'ms', op: '<=', expected: 1100, actual: 1000, pass: true },
  ];

  it('matches the golden text', () => {
    expect(thresholdsJunit(results, { timestamp: '2024-01-02T03:04:05.000Z', runName: 'step-load' })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="scalelab" tests="4" failures="2" errors="0">
  <testsuite name="scalelab thresholds" tests="4" failures="2" errors="0" skipped="0" timestamp="2024-01-02T03:04:05.000Z">
    <testcase classname="scalelab.step-load" name="ttft.p99 &lt; 2000"/>
    <testcase classname="scalelab.step-load" name="stage[&quot;a&amp;b&quot;].e2e.p95 &lt;= 8000">
      <failure message="actual 9100 ms, expected &lt;= 8000 ms" type="threshold">actual 9100 ms, expected &lt;= 8000 ms
9100 ms is not &lt;= 8000 ms</failure>
    </testcase>
    <testcase classname="scalelab.step-load" name="detection_s &lt; 90">
      <failure message="actual unavailable, expected &lt; 90 s" type="threshold">actual unavailable, expected &lt; 90 s
step 0 at +10 s: no &lt;alarm&gt; &apos;read&apos;</failure>
    </testcase>
    <testcase classname="scalelab.step-load" name="baseline: ttft.p99 &lt;= 1100 (baseline 1000 ms + 10%)"/>
  </testsuite>
</testsuites>
`,
    );
  });

  it('is well-formed XML, also for hostile text and an empty list', () => {
    assertWellFormedXml(thresholdsJunit(results));
    assertWellFormedXml(thresholdsJunit([]));
    assertWellFormedXml(thresholdsJunit([{ ...results[1]!, expression: '</testcase><x a="1">&\u0000\u0007"\'' }]));
    expect(xmlEscape('a\u0000b\u0008c\td')).toBe('abc\td');
  });
});
