/**
 * CloudWatch alarms of the scaling policies: their configuration (DescribeAlarms) and their state
 * changes within the run window (DescribeAlarmHistory, StateUpdate items).
 */
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, type AlarmHistoryItem, type CloudWatchClient, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AlarmInfo, AlarmTransition } from './types.js';
import type { AlarmRef, ListOptions } from './scaling.js';

/** DescribeAlarms takes at most 100 names a call. */
const NAMES_PER_CALL = 100;
const MAX_PAGES = 200;

type AlarmState = AlarmTransition['to'];
const STATES = new Set<string>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const isState = (s: unknown): s is AlarmState => typeof s === 'string' && STATES.has(s);

/** What is known of an alarm without DescribeAlarms: its name and role. */
export function basicAlarmInfo(ref: AlarmRef): AlarmInfo {
  return { name: ref.name, role: ref.role, policyName: ref.policyName };
}

/** cloud.json's view of an alarm; a metric-math alarm reports its first returned metric. */
export function toAlarmInfo(ref: AlarmRef, a: MetricAlarm): AlarmInfo {
  const math = a.Metrics?.find((m) => m.ReturnData !== false && m.MetricStat !== undefined)?.MetricStat;
  const metricName = a.MetricName ?? math?.Metric?.MetricName;
  const namespace = a.Namespace ?? math?.Metric?.Namespace;
  const stat = a.Statistic ?? a.ExtendedStatistic ?? math?.Stat;
  const periodS = a.Period ?? math?.Period;
  return {
    ...basicAlarmInfo(ref),
    ...(metricName !== undefined && { metricName }),
    ...(namespace !== undefined && { namespace }),
    ...(stat !== undefined && { stat }),
    ...(periodS !== undefined && { periodS }),
    ...(a.EvaluationPeriods !== undefined && { evaluationPeriods: a.EvaluationPeriods }),
    ...(a.DatapointsToAlarm !== undefined && { datapointsToAlarm: a.DatapointsToAlarm }),
    ...(a.Threshold !== undefined && { threshold: a.Threshold }),
    ...(a.ComparisonOperator !== undefined && { comparison: a.ComparisonOperator }),
  };
}

/** The alarms' configurations, in the order of `refs`; an alarm CloudWatch does not know keeps its basic info. */
export async function readAlarms(cloudwatch: CloudWatchClient, refs: readonly AlarmRef[], options: ListOptions = {}): Promise<AlarmInfo[]> {
  const found = new Map<string, MetricAlarm>();
  const names = [...new Set(refs.map((r) => r.name))];
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(i, i + NAMES_PER_CALL),
          ...(options.pageSize !== undefined && { MaxRecords: Math.min(options.pageSize, 100) }),
          ...(nextToken !== undefined && { NextToken: nextToken }),
        }),
      );
      for (const a of page.MetricAlarms ?? []) if (a.AlarmName !== undefined) found.set(a.AlarmName, a);
      nextToken = page.NextToken;
    } while (nextToken !== undefined && ++pages < MAX_PAGES);
  }
  return refs.map((r) => {
    const a = found.get(r.name);
    return a === undefined ? basicAlarmInfo(r) : toAlarmInfo(r, a);
  });
}

/**
 * A StateUpdate history item as a transition: states from HistoryData's `oldState.stateValue` /
 * `newState.stateValue`, else from the summary "Alarm updated from OK to ALARM"; undefined when
 * neither gives two states.
 */
export function parseTransition(item: AlarmHistoryItem): AlarmTransition | undefined {
  if (item.AlarmName === undefined || item.Timestamp === undefined) return undefined;
  const summary = item.HistorySummary ?? '';
  let states = statesFromData(item.HistoryData);
  if (states === undefined) {
    const m = /from (\w+) to (\w+)/.exec(summary);
    if (m !== null && isState(m[1]) && isState(m[2])) states = { from: m[1], to: m[2] };
  }
  if (states === undefined) return undefined;
  return { alarmName: item.AlarmName, tMs: item.Timestamp.getTime(), ...states, summary };
}

function statesFromData(data: string | undefined): { from: AlarmState; to: AlarmState } | undefined {
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data) as { oldState?: { stateValue?: unknown }; newState?: { stateValue?: unknown } };
    const from = parsed.oldState?.stateValue;
    const to = parsed.newState?.stateValue;
    return isState(from) && isState(to) ? { from, to } : undefined;
  } catch {
    return undefined;
  }
}

/** The alarms' state changes within [startMs − marginMs, endMs + marginMs], oldest first. */
export async function readAlarmTransitions(
  cloudwatch: CloudWatchClient,
  alarmNames: readonly string[],
  window: { startMs: number; endMs: number },
  marginMs: number,
  options: ListOptions = {},
): Promise<AlarmTransition[]> {
  const out: AlarmTransition[] = [];
  for (const name of new Set(alarmNames)) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cloudwatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: name,
          HistoryItemType: 'StateUpdate',
          StartDate: new Date(window.startMs - marginMs),
          EndDate: new Date(window.endMs + marginMs),
          ScanBy: 'TimestampAscending',
          ...(options.pageSize !== undefined && { MaxRecords: Math.min(options.pageSize, 100) }),
          ...(nextToken !== undefined && { NextToken: nextToken }),
        }),
      );
      for (const item of page.AlarmHistoryItems ?? []) {
        const t = parseTransition(item);
        if (t !== undefined) out.push(t);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined && ++pages < MAX_PAGES);
  }
  return out.sort((a, b) => a.tMs - b.tMs || a.alarmName.localeCompare(b.alarmName));
}
