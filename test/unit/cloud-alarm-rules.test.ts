import { describe, expect, it } from 'vitest';
import { javaDouble, judge, reasonDate, type AlarmRule } from '../../src/sim/cloud/alarm-rules.js';

const T = Date.UTC(2026, 3, 12, 20, 10, 0);
const dp = (i: number, value: number) => ({ timestampMs: T + i * 10_000, value, sampleCount: 1 });
const rule = (over: Partial<AlarmRule> = {}): AlarmRule => ({
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 5,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  ...over,
});

describe('alarm rules', () => {
  it('decides on the most recent N real datapoints, ignoring older and missing ones', () => {
    const v = judge(rule(), [dp(0, 1), dp(1, 6), dp(3, 7), dp(4, 8)], 'OK');
    expect(v.state).toBe('ALARM');
    expect(v.evaluated.map((d) => d.value)).toEqual([8, 7, 6]);
    expect(v.reason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [8.0 (12/04/26 20:10:40), 7.0 (12/04/26 20:10:30), 6.0 (12/04/26 20:10:10)] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
  });

  it('words OK with the non-breaching datapoints and the ALARM -> OK minimum', () => {
    const v = judge(rule({ evaluationPeriods: 5, datapointsToAlarm: 3 }), [dp(0, 6), dp(1, 1), dp(2, 6), dp(3, 1.25), dp(4, 0)], 'ALARM');
    expect(v.state).toBe('OK');
    expect(v.reason).toBe(
      'Threshold Crossed: 3 out of the last 5 datapoints [0.0 (12/04/26 20:10:40), 1.25 (12/04/26 20:10:30), 1.0 (12/04/26 20:10:10)] were not greater than the threshold (5.0) (minimum 3 datapoints for ALARM -> OK transition).',
    );
    const one = judge(rule({ evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 15 }), [dp(0, 15.803533)], 'OK');
    expect(one.reason).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [15.803533 (12/04/26 20:10:00)] was greater than the threshold (15.0) (minimum 1 datapoint for OK -> ALARM transition).',
    );
  });

  it('treats missing data as configured', () => {
    expect(judge(rule(), [], 'OK')).toMatchObject({ state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 3 datapoints were unknown.' });
    expect(judge(rule(), [], 'ALARM')).toMatchObject({ state: 'INSUFFICIENT_DATA' });
    expect(judge(rule({ treatMissingData: 'ignore' }), [], 'ALARM')).toEqual({ state: 'ALARM', reason: undefined, evaluated: [] });
    expect(judge(rule({ treatMissingData: 'notBreaching' }), [], 'ALARM')).toMatchObject({
      state: 'OK',
      reason: 'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    });
    expect(judge(rule({ treatMissingData: 'breaching' }), [dp(0, 6)], 'OK')).toMatchObject({
      state: 'ALARM',
      reason: 'Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching].',
    });
    expect(judge(rule(), [dp(0, 6), dp(1, 6)], 'OK').state).toBe('OK'); // 2 of 3 breaching, one unknown
  });

  it('prints numbers as Java doubles and dates as dd/MM/yy HH:mm:ss UTC', () => {
    expect([6, 0, 0.5, 15.803533, -2, 1e7, 12345678.5, 0.0001].map(javaDouble)).toEqual(['6.0', '0.0', '0.5', '15.803533', '-2.0', '1.0E7', '1.23456785E7', '1.0E-4']);
    expect(reasonDate(Date.UTC(2019, 4, 22, 14, 34, 0))).toBe('22/05/19 14:34:00');
  });
});
