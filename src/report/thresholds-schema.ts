/**
 * The profile's `thresholds:` and `slo:` fields: grammar, parser and zod schemas. Validated when
 * the profile loads (so `scalelab validate` catches a typo); evaluated after a run
 * (thresholds.ts).
 *
 * Grammar of one threshold (a string, or an object { metric, op, value, stage? } rendered to it):
 *
 *     [stage[<index or name>].]<metric> <op> <number>[unit]
 *     op     := < | <= | > | >= | == | !=
 *     metric := <latency>.<stat>            ms; latency := e2e | ttft | itl | tpot | lag
 *                                           stat := p<N> (0 < N ≤ 100, e.g. p99, p99.9) | mean | min | max
 *             | error_rate                  ratio 0..1 (a % unit divides by 100)
 *             | errors | timeouts | dropped | ok                      counts
 *             | throughput_rps | goodput_rps | output_tokens_per_s    per second
 *             | detection_s | reaction_s | capacity_ready_s | recovery_s | slo_violation_s   s, steps up
 *             | release_s                                                                 s, steps down
 *             | capacity_seconds | cost_usd | cost_per_mtok_usd       whole run only
 *     unit   := ms | s (latency and _s figures, converted) | % (error_rate)
 *
 * Scaling figures take the worst (max) over the run's steps of their direction, or the step at
 * the named stage's start with `stage[…]`.
 */
import { z } from 'zod';
import { METRICS, type Metric } from '../record/histograms.js';
import type { ThresholdOp } from '../correlate/types.js';

export const THRESHOLD_OPS = ['<=', '>=', '==', '!=', '<', '>'] as const satisfies readonly ThresholdOp[];

export const COUNTER_METRICS = {
  error_rate: 'ratio',
  errors: 'count',
  timeouts: 'count',
  dropped: 'count',
  ok: 'count',
  throughput_rps: 'rps',
  goodput_rps: 'rps',
  output_tokens_per_s: 'rps',
} as const;
export type CounterMetric = keyof typeof COUNTER_METRICS;

/** Scaling figures: which steps they are read from ('run' = whole-run figures). */
export const SCALING_METRICS = {
  detection_s: 'up',
  reaction_s: 'up',
  capacity_ready_s: 'up',
  recovery_s: 'up',
  slo_violation_s: 'up',
  release_s: 'down',
  capacity_seconds: 'run',
  cost_usd: 'run',
  cost_per_mtok_usd: 'run',
} as const;
export type ScalingMetric = keyof typeof SCALING_METRICS;

export type LatencyStat = { kind: 'percentile'; p: number } | { kind: 'mean' | 'min' | 'max' };

export type ThresholdTarget =
  | { kind: 'latency'; metric: Metric; stat: LatencyStat }
  | { kind: 'counter'; name: CounterMetric }
  | { kind: 'scaling'; name: ScalingMetric };

export interface ThresholdSpec {
  expression: string;
  /** Stage index or name when scoped with `stage[…]`. */
  stage?: number | string;
  /** The metric as written, e.g. `ttft.p99`. */
  metricName: string;
  target: ThresholdTarget;
  op: ThresholdOp;
  /** In the metric's unit (ms, s, ratio, count, rps, usd). */
  value: number;
  unit: string;
}

export const VALID_METRICS =
  `${METRICS.join('|')}.p<N>|mean|min|max (ms), ${Object.keys(COUNTER_METRICS).join(', ')}, ${Object.keys(SCALING_METRICS).join(', ')}`;

const EXAMPLE = 'e.g. "ttft.p99 < 2000", "stage[1].e2e.p95 <= 8000", "error_rate < 0.01", "detection_s < 90"';

export class ThresholdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
  }
}

const SHAPE = /^\s*(?:stage\[\s*(?<stage>[^\]]*?)\s*\]\s*\.)?(?<metric>[A-Za-z0-9_.]+)\s*(?<op><=|>=|==|!=|<|>)\s*(?<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?<unit>ms|s|%)?\s*$/;

function target(metricName: string): { target: ThresholdTarget; unit: string } {
  if (metricName in COUNTER_METRICS) {
    const name = metricName as CounterMetric;
    return { target: { kind: 'counter', name }, unit: COUNTER_METRICS[name] };
  }
  if (metricName in SCALING_METRICS) {
    const name = metricName as ScalingMetric;
    const unit = name === 'capacity_seconds' ? 'unit-s' : name.startsWith('cost') ? 'usd' : 's';
    return { target: { kind: 'scaling', name }, unit };
  }
  const [latency, stat, ...rest] = metricName.split('.');
  const statText = [stat, ...rest].join('.');
  if (!(METRICS as readonly string[]).includes(latency ?? '') || stat === undefined) {
    throw new ThresholdSyntaxError(`unknown metric "${metricName}"; valid metrics: ${VALID_METRICS}`);
  }
  const metric = latency as Metric;
  if (statText === 'mean' || statText === 'min' || statText === 'max') return { target: { kind: 'latency', metric, stat: { kind: statText } }, unit: 'ms' };
  const p = /^p(\d+(?:\.\d+)?)$/.exec(statText);
  const pValue = p ? Number(p[1]) : NaN;
  if (!(pValue > 0 && pValue <= 100)) {
    throw new ThresholdSyntaxError(
      `unknown statistic "${statText}" of ${metric}; expected p<N> with 0 < N ≤ 100 (p50, p95, p99, p99.9), mean, min or max`,
    );
  }
  return { target: { kind: 'latency', metric, stat: { kind: 'percentile', p: pValue } }, unit: 'ms' };
}

function convert(value: number, unit: string | undefined, metricUnit: string, metricName: string): number {
  if (unit === undefined) return value;
  if (metricUnit === 'ms' && (unit === 'ms' || unit === 's')) return unit === 's' ? value * 1000 : value;
  if (metricUnit === 's' && (unit === 'ms' || unit === 's')) return unit === 'ms' ? value / 1000 : value;
  if (metricUnit === 'ratio' && unit === '%') return value / 100;
  throw new ThresholdSyntaxError(`unit "${unit}" does not apply to ${metricName} (measured in ${metricUnit}); write a plain number`);
}

/** Parses one threshold string. @throws ThresholdSyntaxError saying what is expected. */
export function parseThreshold(text: string): ThresholdSpec {
  const m = SHAPE.exec(text);
  const g = m?.groups;
  if (!g || g.metric === undefined || g.op === undefined || g.value === undefined) {
    throw new ThresholdSyntaxError(`cannot read ${JSON.stringify(text)}: expected "[stage[<index|name>].]<metric> <op> <number>", ${EXAMPLE}; ops: ${THRESHOLD_OPS.join(' ')}`);
  }
  const { target: t, unit } = target(g.metric);
  let stage: number | string | undefined;
  if (g.stage !== undefined) {
    const raw = g.stage.replace(/^(["'])(.*)\1$/, '$2');
    if (raw === '') throw new ThresholdSyntaxError('stage[] needs a stage index or name, e.g. stage[1] or stage[step]');
    if (t.kind === 'scaling' && SCALING_METRICS[t.name] === 'run') {
      throw new ThresholdSyntaxError(`${g.metric} is a whole-run figure: remove "stage[${g.stage}]."`);
    }
    stage = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return {
    expression: text.trim(),
    ...(stage !== undefined && { stage }),
    metricName: g.metric,
    target: t,
    op: g.op as ThresholdOp,
    value: convert(Number(g.value), g.unit, unit, g.metric),
    unit,
  };
}

const objectThreshold = z.strictObject({
  metric: z.string().min(1),
  op: z.enum(THRESHOLD_OPS),
  value: z.number(),
  stage: z.union([z.int().min(0), z.string().min(1)]).optional(),
});

function render(o: z.infer<typeof objectThreshold>): string {
  return `${o.stage === undefined ? '' : `stage[${o.stage}].`}${o.metric} ${o.op} ${o.value}`;
}

/** One `thresholds:` entry, parsed into a ThresholdSpec (or a custom issue at its index). */
export const thresholdEntrySchema = z.union([z.string().min(1), objectThreshold]).transform((entry, ctx) => {
  try {
    return parseThreshold(typeof entry === 'string' ? entry : render(entry));
  } catch (e: unknown) {
    if (!(e instanceof ThresholdSyntaxError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message, input: entry });
    return z.NEVER;
  }
});

export const thresholdsSchema = z.array(thresholdEntrySchema).default([]);

/** The profile's `slo:` block: latency objectives, for goodput, recovery and SLO debt. */
export const sloSchema = z.strictObject({
  /** A request meets the SLO when its TTFT (and e2e, if set) is at most this. */
  ttftMs: z.number().positive().optional(),
  e2eMs: z.number().positive().optional(),
  /** Which metric's interval p99 recovery and SLO debt watch. */
  metric: z.enum(['ttft', 'e2e']).default('ttft'),
  /** Consecutive good intervals that make a recovery. */
  recoveryIntervals: z.int().min(1).default(3),
});
export type Slo = z.infer<typeof sloSchema>;

/**
 * Cross-field checks for the profile's superRefine: thresholds that need an SLO the profile does
 * not set. Returns [index, message] pairs.
 */
export function thresholdSloIssues(thresholds: readonly ThresholdSpec[], slo: Slo): [number, string][] {
  const issues: [number, string][] = [];
  thresholds.forEach((t, i) => {
    if (t.target.kind !== 'scaling' && t.target.kind !== 'counter') return;
    const name = t.target.name;
    if (name === 'goodput_rps' && slo.ttftMs === undefined && slo.e2eMs === undefined) {
      issues.push([i, 'goodput_rps counts requests meeting the SLO: set slo: { ttftMs: …, e2eMs: … } (either or both)']);
    }
    if (name === 'slo_violation_s' && slo[`${slo.metric}Ms`] === undefined) {
      issues.push([i, `slo_violation_s needs slo.${slo.metric}Ms (the SLO that slo.metric ${slo.metric} watches)`]);
    }
  });
  return issues;
}
