/**
 * How a CloudWatch metric alarm decides its state from the datapoints it can see, and the words
 * it uses to say why (pure).
 *
 * The evaluation range holds a few more periods than EvaluationPeriods (N). Following CloudWatch's
 * "missing data" rules: when the range holds at least N real datapoints, the most recent N decide
 * (DatapointsToAlarm M of them breaching → ALARM, else OK) and missing ones do not matter; that is
 * why a delivery lag delays an alarm rather than breaking it. With fewer than N, TreatMissingData
 * decides: `breaching`/`notBreaching` fill the gaps; `missing` decides on the real datapoints alone
 * (no datapoint at all → INSUFFICIENT_DATA); `ignore` keeps the state unless the real datapoints
 * settle it. (CloudWatch's corner case where one old breaching datapoint with missing ones after
 * it alarms is not reproduced.)
 *
 * StateReason wordings, as CloudWatch writes them (seen in alarm notifications and histories):
 * - `Threshold Crossed: 1 out of the last 1 datapoints [15.803533 (22/05/19 14:34:00)] was greater than the threshold (15.0) (minimum 1 datapoint for OK -> ALARM transition).`
 * - `Threshold Crossed: 3 out of the last 5 datapoints [0.0 (21/12/21 06:45:00), …] were not greater than the threshold (0.0) (minimum 3 datapoints for ALARM -> OK transition).`
 * - `Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].`
 * - `Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching].`
 * - `Insufficient Data: 1 datapoint was unknown.`; a new alarm: `Unchecked: Initial alarm creation`.
 * Dates are dd/MM/yy HH:mm:ss UTC, newest first; numbers print as Java doubles (6 → 6.0).
 */
import type { Datapoint } from './metric-store.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export const ALARM_STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];

export const INITIAL_STATE_REASON = 'Unchecked: Initial alarm creation';

const OPERATOR_WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(value: number, op: ComparisonOperator, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

export interface AlarmRule {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  treatMissingData: TreatMissingData;
}

export interface Verdict {
  state: AlarmState;
  /** Undefined when the state is kept as it was (TreatMissingData `ignore`). */
  reason: string | undefined;
  /** The datapoints that decided, newest first. */
  evaluated: Datapoint[];
}

/** Decides the state from the real datapoints of the evaluation range (any order). */
export function judge(rule: AlarmRule, datapoints: readonly Datapoint[], current: AlarmState): Verdict {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const newestFirst = [...datapoints].sort((a, b) => b.timestampMs - a.timestampMs);
  const evaluated = newestFirst.slice(0, n);
  const isBreach = (d: Datapoint): boolean => breaches(d.value, rule.comparisonOperator, rule.threshold);
  const breaching = evaluated.filter(isBreach);
  const clear = evaluated.filter((d) => !isBreach(d));
  const missing = n - evaluated.length;
  const crossed = (state: 'ALARM' | 'OK'): Verdict => ({ state, reason: thresholdCrossed(rule, state === 'ALARM' ? breaching : clear, state), evaluated });

  if (missing === 0) return crossed(breaching.length >= m ? 'ALARM' : 'OK');
  switch (rule.treatMissingData) {
    case 'breaching':
    case 'notBreaching': {
      const asBreach = rule.treatMissingData === 'breaching';
      const state = breaching.length + (asBreach ? missing : 0) >= m ? 'ALARM' : 'OK';
      return { state, reason: missingTreated(evaluated.length, n, missing, asBreach), evaluated };
    }
    case 'missing':
      if (evaluated.length === 0) return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${count(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`, evaluated };
      return crossed(breaching.length >= m ? 'ALARM' : 'OK');
    case 'ignore':
      if (breaching.length >= m) return crossed('ALARM');
      if (clear.length >= n - m + 1) return crossed('OK');
      return { state: current, reason: undefined, evaluated };
  }
}

function thresholdCrossed(rule: AlarmRule, listed: readonly Datapoint[], state: 'ALARM' | 'OK'): string {
  const n = rule.evaluationPeriods;
  const points = listed.map((d) => `${javaDouble(d.value)} (${reasonDate(d.timestampMs)})`).join(', ');
  const verb = listed.length === 1 ? 'was' : 'were';
  const words = (state === 'OK' ? 'not ' : '') + OPERATOR_WORDS[rule.comparisonOperator];
  const minimum = state === 'ALARM' ? rule.datapointsToAlarm : n - rule.datapointsToAlarm + 1;
  const transition = state === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK';
  return (
    `Threshold Crossed: ${listed.length} out of the last ${n} datapoints [${points}] ${verb} ${words} the threshold ` +
    `(${javaDouble(rule.threshold)}) (minimum ${count(minimum, 'datapoint')} for ${transition} transition).`
  );
}

function missingTreated(received: number, periods: number, missing: number, asBreach: boolean): string {
  const got = received === 0 ? 'no datapoints were' : `${count(received, 'datapoint')} ${received === 1 ? 'was' : 'were'}`;
  return `Threshold Crossed: ${got} received for ${periods} periods and ${count(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${asBreach ? 'Breaching' : 'NonBreaching'}].`;
}

const count = (k: number, noun: string): string => `${k} ${noun}${k === 1 ? '' : 's'}`;

/** A number as Java's Double.toString prints it: 6 → "6.0", 1e7 → "1.0E7", 0.5 → "0.5". */
export function javaDouble(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa = '0', exponent = '0'] = v.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** dd/MM/yy HH:mm:ss in UTC, as in StateReason. */
export function reasonDate(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCFullYear() % 100)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** 2019-05-22T14:35:52.123+0000, as in StateReasonData and HistoryData. */
export function awsJsonDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The StateReasonData JSON CloudWatch attaches to a threshold alarm's evaluation. */
export function stateReasonData(args: {
  rule: AlarmRule;
  statistic: string;
  periodS: number;
  queryMs: number;
  evaluated: readonly Datapoint[];
}): string {
  const { evaluated } = args;
  const oldest = evaluated[evaluated.length - 1];
  return JSON.stringify({
    version: '1.0',
    queryDate: awsJsonDate(args.queryMs),
    ...(oldest ? { startDate: awsJsonDate(oldest.timestampMs) } : {}),
    statistic: args.statistic,
    period: args.periodS,
    recentDatapoints: [...evaluated].reverse().map((d) => d.value),
    threshold: args.rule.threshold,
    evaluatedDatapoints: evaluated.map((d) => ({ timestamp: awsJsonDate(d.timestampMs), sampleCount: d.sampleCount, value: d.value })),
  });
}
