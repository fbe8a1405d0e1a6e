/**
 * Simulated CloudWatch metric alarms: PutMetricAlarm / DescribeAlarms / DescribeAlarmHistory /
 * DeleteAlarms semantics, evaluation on the Clock, history, and actions.
 *
 * Cadence: an alarm evaluates every min(Period, 60) seconds at epoch-aligned instants plus a
 * configurable offset (10 s alarms every 10 s, 60 s and longer ones every minute). An evaluation
 * at T reads the `EvaluationPeriods + extraRangePeriods` whole periods that ended by T, seeing only
 * datapoints delivered by T, and decides with {@link judge}.
 *
 * Actions: on a transition the new state's actions run (ALARM → AlarmActions, OK → OKActions,
 * INSUFFICIENT_DATA → InsufficientDataActions) and are written to history; while the alarm stays
 * in ALARM its AlarmActions run again every `actionRepeatIntervalMs` (60 s), which Application
 * Auto Scaling relies on. An action ARN is delivered to the handler registered for its prefix
 * (e.g. `arn:aws:autoscaling:`); an ARN nobody handles (SNS…) counts as executed.
 */
import type { Clock } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import {
  COMPARISON_OPERATORS,
  INITIAL_STATE_REASON,
  TREAT_MISSING_DATA,
  awsJsonDate,
  judge,
  stateReasonData,
  type AlarmRule,
  type AlarmState,
  type ComparisonOperator,
  type TreatMissingData,
} from './alarm-rules.js';
import { CloudApiError } from './errors.js';
import { alarmArn } from './ids.js';
import type { Datapoint, MetricStore } from './metric-store.js';
import { parseStatistic } from './statistics.js';
import type { AwsIdentity, Dimension, MetricId } from './types.js';

/** CloudWatch's MetricStat inside a `Metrics` list. */
export interface MetricStatInput {
  Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] };
  Period: number;
  Stat: string;
  Unit?: string;
}

/** One entry of a `Metrics` list (MetricDataQuery). Only a single MetricStat can drive an alarm here. */
export interface MetricDataQueryInput {
  Id: string;
  MetricStat?: MetricStatInput;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
}

/** PutMetricAlarm's input, AWS field names. */
export interface PutMetricAlarmInput {
  AlarmName: string;
  AlarmDescription?: string;
  ActionsEnabled?: boolean;
  OKActions?: string[];
  AlarmActions?: string[];
  InsufficientDataActions?: string[];
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Dimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData?: TreatMissingData;
  Metrics?: MetricDataQueryInput[];
}

/** DescribeAlarms' MetricAlarm, timestamps in epoch ms. */
export interface MetricAlarmView extends PutMetricAlarmInput {
  AlarmArn: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  DatapointsToAlarm: number;
  TreatMissingData: TreatMissingData;
  Dimensions: Dimension[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestampMs: number;
  StateTransitionedTimestampMs: number;
  AlarmConfigurationUpdatedTimestampMs: number;
}

export type HistoryItemType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
export const HISTORY_ITEM_TYPES: readonly HistoryItemType[] = ['ConfigurationUpdate', 'StateUpdate', 'Action'];

export interface AlarmHistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm';
  TimestampMs: number;
  HistoryItemType: HistoryItemType;
  HistorySummary: string;
  HistoryData: string;
}

/** What an action handler receives. */
export interface AlarmActionEvent {
  actionArn: string;
  alarmName: string;
  state: AlarmState;
  /** The datapoints that decided the state, newest first. */
  evaluated: readonly Datapoint[];
  threshold: number;
  atMs: number;
  /** True for the every-minute repeat while in ALARM, false on the transition. */
  repeat: boolean;
}

/** Runs an alarm action; throwing marks it failed in history. */
export type AlarmActionHandler = (event: AlarmActionEvent) => void;

/** A state change, for observers (the simulator's recorder, tests). */
export interface AlarmTransition {
  alarmName: string;
  oldState: AlarmState;
  newState: AlarmState;
  reason: string;
  atMs: number;
}

export interface AlarmServiceOptions {
  clock: Clock;
  store: MetricStore;
  identity: AwsIdentity;
  /** Evaluations happen this long after each epoch-aligned cadence boundary. */
  evaluationOffsetMs: number;
  /** Periods read beyond EvaluationPeriods, so late datapoints still count. */
  extraRangePeriods: number;
  /** How often AlarmActions run again while the alarm stays in ALARM. */
  actionRepeatIntervalMs: number;
  /** History items kept (oldest dropped first). */
  historyLimit: number;
}

interface AlarmRecord {
  view: MetricAlarmView;
  metric: MetricId;
  periodS: number;
  stat: string;
  unit: string | undefined;
  rule: AlarmRule;
  cancelTimer: () => void;
  lastActionMs: number;
}

const HIGH_RES_PERIODS = [10, 20, 30];

const invalid = (message: string): CloudApiError => new CloudApiError('InvalidParameterValueException', message);

export class AlarmService {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly history: AlarmHistoryItem[] = [];
  private readonly handlers: { prefix: string; handler: AlarmActionHandler }[] = [];
  private readonly transitionListeners = new Set<(t: AlarmTransition) => void>();

  constructor(private readonly options: AlarmServiceOptions) {}

  /** Routes action ARNs starting with `prefix` to `handler`. */
  registerActionHandler(prefix: string, handler: AlarmActionHandler): void {
    this.handlers.push({ prefix, handler });
  }

  /** Calls `listener` on every state change; returns an unsubscribe function. */
  onTransition(listener: (t: AlarmTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** Creates or replaces an alarm. An update keeps the current state, as CloudWatch does. */
  putMetricAlarm(input: PutMetricAlarmInput): void {
    const resolved = resolveMetric(input);
    const rule = resolveRule(input);
    const nowMs = this.options.clock.nowMs();
    const existing = this.alarms.get(input.AlarmName);
    existing?.cancelTimer();
    const view: MetricAlarmView = {
      ...input,
      AlarmArn: alarmArn(this.options.identity, input.AlarmName),
      ActionsEnabled: input.ActionsEnabled ?? true,
      OKActions: input.OKActions ?? [],
      AlarmActions: input.AlarmActions ?? [],
      InsufficientDataActions: input.InsufficientDataActions ?? [],
      DatapointsToAlarm: rule.datapointsToAlarm,
      TreatMissingData: rule.treatMissingData,
      Dimensions: input.Dimensions ?? [],
      StateValue: existing?.view.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: existing?.view.StateReason ?? INITIAL_STATE_REASON,
      StateUpdatedTimestampMs: existing?.view.StateUpdatedTimestampMs ?? nowMs,
      StateTransitionedTimestampMs: existing?.view.StateTransitionedTimestampMs ?? nowMs,
      AlarmConfigurationUpdatedTimestampMs: nowMs,
    };
    if (existing?.view.StateReasonData !== undefined) view.StateReasonData = existing.view.StateReasonData;
    const record: AlarmRecord = { view, ...resolved, rule, cancelTimer: () => {}, lastActionMs: existing?.lastActionMs ?? Number.NEGATIVE_INFINITY };
    this.alarms.set(input.AlarmName, record);
    this.addHistory({
      AlarmName: input.AlarmName,
      AlarmType: 'MetricAlarm',
      TimestampMs: nowMs,
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: `Alarm "${input.AlarmName}" ${existing ? 'updated' : 'created'}`,
      HistoryData: JSON.stringify({ version: '1.0', type: existing ? 'Update' : 'Create', [existing ? 'updatedAlarm' : 'createdAlarm']: configOf(view) }),
    });
    this.schedule(record, nowMs);
  }

  /** Deletes alarms; unknown names fail the whole call with ResourceNotFound, deleting nothing. */
  deleteAlarms(names: readonly string[]): void {
    const unknown = names.filter((n) => !this.alarms.has(n));
    if (unknown.length > 0) throw new CloudApiError('ResourceNotFound', `${unknown.length} alarm(s) not found: ${unknown.join(', ')}`, 404);
    for (const n of names) {
      this.alarms.get(n)?.cancelTimer();
      this.alarms.delete(n);
    }
  }

  /** Alarms sorted by name, filtered as DescribeAlarms filters them. */
  describeAlarms(filter: { alarmNames?: readonly string[]; alarmNamePrefix?: string; stateValue?: AlarmState; actionPrefix?: string } = {}): MetricAlarmView[] {
    if (filter.alarmNames?.length && filter.alarmNamePrefix !== undefined) {
      throw new CloudApiError('InvalidParameterCombinationException', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
    }
    return [...this.alarms.values()]
      .map((r) => r.view)
      .filter((v) => !filter.alarmNames?.length || filter.alarmNames.includes(v.AlarmName))
      .filter((v) => filter.alarmNamePrefix === undefined || v.AlarmName.startsWith(filter.alarmNamePrefix))
      .filter((v) => filter.stateValue === undefined || v.StateValue === filter.stateValue)
      .filter((v) => filter.actionPrefix === undefined || [...v.AlarmActions, ...v.OKActions, ...v.InsufficientDataActions].some((a) => a.startsWith(filter.actionPrefix as string)))
      .sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0))
      .map((v) => structuredClone(v));
  }

  /** One alarm, or undefined. */
  get(name: string): MetricAlarmView | undefined {
    const r = this.alarms.get(name);
    return r ? structuredClone(r.view) : undefined;
  }

  /** History items, newest first unless `ascending`; dates inclusive. */
  describeHistory(filter: { alarmName?: string; historyItemType?: HistoryItemType; startMs?: number; endMs?: number; ascending?: boolean } = {}): AlarmHistoryItem[] {
    const items = this.history.filter(
      (h) =>
        (filter.alarmName === undefined || h.AlarmName === filter.alarmName) &&
        (filter.historyItemType === undefined || h.HistoryItemType === filter.historyItemType) &&
        (filter.startMs === undefined || h.TimestampMs >= filter.startMs) &&
        (filter.endMs === undefined || h.TimestampMs <= filter.endMs),
    );
    return filter.ascending ? items : items.reverse();
  }

  /** Stops every evaluation timer. */
  close(): void {
    for (const r of this.alarms.values()) r.cancelTimer();
  }

  private schedule(record: AlarmRecord, afterMs: number): void {
    const cadenceMs = Math.min(record.periodS, 60) * 1000;
    const offset = this.options.evaluationOffsetMs;
    const nextMs = Math.floor((afterMs - offset) / cadenceMs) * cadenceMs + cadenceMs + offset;
    record.cancelTimer = this.options.clock.setTimer(nextMs, () => {
      if (this.alarms.get(record.view.AlarmName) !== record) return;
      this.evaluate(record, nextMs);
      this.schedule(record, nextMs);
    });
  }

  private evaluate(record: AlarmRecord, atMs: number): void {
    const periodMs = record.periodS * 1000;
    const endMs = Math.floor(atMs / periodMs) * periodMs;
    const rangePeriods = record.rule.evaluationPeriods + this.options.extraRangePeriods;
    const datapoints = this.options.store.query({
      metric: record.metric,
      periodS: record.periodS,
      stat: record.stat,
      startMs: endMs - rangePeriods * periodMs,
      endMs,
      visibleAtMs: atMs,
      ...(record.unit !== undefined ? { unit: record.unit } : {}),
    });
    const view = record.view;
    const verdict = judge(record.rule, datapoints, view.StateValue);
    const oldState = view.StateValue;
    if (verdict.reason !== undefined) {
      view.StateReason = verdict.reason;
      view.StateReasonData = stateReasonData({ rule: record.rule, statistic: record.stat, periodS: record.periodS, queryMs: atMs, evaluated: verdict.evaluated });
      view.StateUpdatedTimestampMs = atMs;
    }
    if (verdict.state !== oldState) {
      const oldReason = { stateValue: oldState, stateReason: view.StateReason };
      view.StateValue = verdict.state;
      view.StateTransitionedTimestampMs = atMs;
      this.addHistory({
        AlarmName: view.AlarmName,
        AlarmType: 'MetricAlarm',
        TimestampMs: atMs,
        HistoryItemType: 'StateUpdate',
        HistorySummary: `Alarm updated from ${oldState} to ${verdict.state}`,
        HistoryData: JSON.stringify({
          version: '1.0',
          oldState: oldReason,
          newState: { stateValue: verdict.state, stateReason: view.StateReason, stateReasonData: JSON.parse(view.StateReasonData ?? '{}') as unknown },
        }),
      });
      for (const l of this.transitionListeners) l({ alarmName: view.AlarmName, oldState, newState: verdict.state, reason: view.StateReason, atMs });
      const actions = verdict.state === 'ALARM' ? view.AlarmActions : verdict.state === 'OK' ? view.OKActions : view.InsufficientDataActions;
      this.runActions(record, actions, verdict.evaluated, atMs, false);
    } else if (verdict.state === 'ALARM' && atMs - record.lastActionMs >= this.options.actionRepeatIntervalMs) {
      this.runActions(record, view.AlarmActions, verdict.evaluated, atMs, true);
    }
  }

  private runActions(record: AlarmRecord, arns: readonly string[], evaluated: readonly Datapoint[], atMs: number, repeat: boolean): void {
    const view = record.view;
    if (!view.ActionsEnabled || arns.length === 0) return;
    record.lastActionMs = atMs;
    for (const actionArn of arns) {
      const handler = this.handlers.find((h) => actionArn.startsWith(h.prefix))?.handler;
      let failure: string | undefined;
      try {
        handler?.({ actionArn, alarmName: view.AlarmName, state: view.StateValue, evaluated, threshold: record.rule.threshold, atMs, repeat });
      } catch (e: unknown) {
        failure = errorMessage(e);
      }
      if (repeat && failure === undefined) continue;
      this.addHistory({
        AlarmName: view.AlarmName,
        AlarmType: 'MetricAlarm',
        TimestampMs: atMs,
        HistoryItemType: 'Action',
        HistorySummary: failure === undefined ? `Successfully executed action ${actionArn}` : `Failed to execute action ${actionArn}`,
        HistoryData: JSON.stringify({
          actionState: failure === undefined ? 'Succeeded' : 'Failed',
          stateUpdateTimestamp: view.StateUpdatedTimestampMs,
          notificationResource: actionArn,
          publishedMessage: null,
          ...(failure !== undefined ? { error: failure } : {}),
        }),
      });
    }
  }

  private addHistory(item: AlarmHistoryItem): void {
    this.history.push(item);
    if (this.history.length > this.options.historyLimit) this.history.splice(0, this.history.length - this.options.historyLimit);
  }
}

/** The alarm's configuration (no state fields), for ConfigurationUpdate history data. */
function configOf(v: MetricAlarmView): Record<string, unknown> {
  const config = Object.entries(v).filter(([k]) => !k.startsWith('State') && k !== 'AlarmConfigurationUpdatedTimestampMs');
  return { ...Object.fromEntries(config), alarmConfigurationUpdatedTimestamp: awsJsonDate(v.AlarmConfigurationUpdatedTimestampMs) };
}

/** The one metric an alarm reads, from the classic fields or a single-MetricStat `Metrics` list. */
function resolveMetric(input: PutMetricAlarmInput): Pick<AlarmRecord, 'metric' | 'periodS' | 'stat' | 'unit'> {
  if (input.Metrics !== undefined) {
    if (input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined || input.ExtendedStatistic !== undefined) {
      throw new CloudApiError('InvalidParameterCombinationException', 'Metrics list cannot be combined with MetricName, Namespace, Statistic or ExtendedStatistic.');
    }
    const returned = input.Metrics.filter((q) => q.ReturnData !== false);
    const only = returned[0];
    if (returned.length !== 1 || !only) throw invalid('Exactly one element of the metrics list should return data.');
    if (only.Expression !== undefined || !only.MetricStat) {
      throw invalid('The simulator supports alarms on a single MetricStat; metric math expressions are not evaluated.');
    }
    const ms = only.MetricStat;
    checkPeriod(ms.Period);
    checkStat(ms.Stat);
    return {
      metric: { namespace: ms.Metric.Namespace, metricName: ms.Metric.MetricName, dimensions: ms.Metric.Dimensions ?? [] },
      periodS: ms.Period,
      stat: ms.Stat,
      unit: ms.Unit,
    };
  }
  if (input.MetricName === undefined || input.Namespace === undefined) {
    throw new CloudApiError('MissingRequiredParameterException', 'MetricName and Namespace are required unless Metrics is specified.');
  }
  if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
    throw new CloudApiError('InvalidParameterCombinationException', 'Exactly one of Statistic or ExtendedStatistic must be specified.');
  }
  if (input.Period === undefined) throw new CloudApiError('MissingRequiredParameterException', 'Period is required unless Metrics is specified.');
  checkPeriod(input.Period);
  const stat = (input.Statistic ?? input.ExtendedStatistic) as string;
  checkStat(stat);
  if (input.Statistic !== undefined && parseStatistic(input.Statistic)?.kind !== 'basic') {
    throw invalid(`Invalid value '${input.Statistic}' for Statistic: use SampleCount, Average, Sum, Minimum or Maximum (percentiles go in ExtendedStatistic).`);
  }
  return {
    metric: { namespace: input.Namespace, metricName: input.MetricName, dimensions: input.Dimensions ?? [] },
    periodS: input.Period,
    stat,
    unit: input.Unit,
  };
}

function checkPeriod(periodS: number): void {
  if (!(HIGH_RES_PERIODS.includes(periodS) || (periodS > 0 && periodS % 60 === 0))) {
    throw invalid(`The parameter Period must be 10, 20, 30 or a multiple of 60; got ${periodS}.`);
  }
}

function checkStat(stat: string): void {
  if (!parseStatistic(stat)) throw invalid(`Invalid statistic '${stat}'.`);
}

function resolveRule(input: PutMetricAlarmInput): AlarmRule {
  const n = input.EvaluationPeriods;
  const m = input.DatapointsToAlarm ?? n;
  if (!Number.isInteger(n) || n < 1) throw invalid('The parameter EvaluationPeriods must be greater than or equal to 1.');
  if (!Number.isInteger(m) || m < 1 || m > n) throw invalid('DatapointsToAlarm must be between 1 and EvaluationPeriods.');
  if (input.Threshold === undefined) throw new CloudApiError('MissingRequiredParameterException', 'Threshold is required.');
  if (!COMPARISON_OPERATORS.includes(input.ComparisonOperator)) throw invalid(`Invalid ComparisonOperator '${String(input.ComparisonOperator)}'.`);
  const treat = input.TreatMissingData ?? 'missing';
  if (!TREAT_MISSING_DATA.includes(treat)) throw invalid(`Invalid TreatMissingData '${String(treat)}'.`);
  return { evaluationPeriods: n, datapointsToAlarm: m, threshold: input.Threshold, comparisonOperator: input.ComparisonOperator, treatMissingData: treat };
}
