/**
 * CloudWatch's operations over AWS JSON 1.0 (`x-amz-target: GraniteServiceVersion20100801.<Op>`):
 * GetMetricData, PutMetricData, ListMetrics, PutMetricAlarm, DescribeAlarms, DescribeAlarmHistory,
 * DeleteAlarms. Inputs are validated here; the semantics live in the metric store and the alarms.
 *
 * Errors: CloudWatch is "query compatible", so an error carries both the JSON `__type`
 * (`com.amazonaws.cloudwatch#InvalidParameterValueException`) and the query-protocol code in the
 * `x-amzn-query-error: InvalidParameterValue;Sender` header, which the SDK prefers.
 */
import { z } from 'zod';
import type { Clock } from '../../../lib/clock.js';
import { ALARM_STATES, COMPARISON_OPERATORS, TREAT_MISSING_DATA } from '../alarm-rules.js';
import { HISTORY_ITEM_TYPES, type AlarmService, type MetricAlarmView } from '../alarms.js';
import { CloudApiError } from '../errors.js';
import type { Datapoint, MetricStore } from '../metric-store.js';
import { parseStatistic } from '../statistics.js';
import { compact, epochS, paginate, timestampMs, validate } from './wire.js';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const CLOUDWATCH_CONTENT_TYPE = 'application/x-amz-json-1.0';
const ERROR_NAMESPACE = 'com.amazonaws.cloudwatch';

/** Shape name → query-protocol error code (from the SDK's error schemas, `awsQueryError`). */
const QUERY_ERROR_CODES: Record<string, string> = {
  InvalidParameterValueException: 'InvalidParameterValue',
  InvalidParameterCombinationException: 'InvalidParameterCombination',
  MissingRequiredParameterException: 'MissingParameter',
  InvalidNextToken: 'InvalidNextToken',
  ResourceNotFound: 'ResourceNotFound',
  LimitExceededFault: 'LimitExceeded',
  InternalServiceFault: 'InternalServiceError',
};

/** The status, headers and body of a CloudWatch error. */
export function cloudWatchError(e: CloudApiError): { status: number; headers: Record<string, string>; body: unknown } {
  const code = QUERY_ERROR_CODES[e.awsType] ?? e.awsType;
  return {
    status: e.httpStatus,
    headers: { 'x-amzn-query-error': `${code};${e.httpStatus >= 500 ? 'Receiver' : 'Sender'}` },
    body: { __type: `${ERROR_NAMESPACE}#${e.awsType}`, message: e.message },
  };
}

const invalid = (message: string): CloudApiError => new CloudApiError('InvalidParameterValueException', message);
const badToken = (): CloudApiError => new CloudApiError('InvalidNextToken', 'The service returned an error: invalid NextToken.');

const timestamp = z.union([z.number(), z.string()]);
const dimension = z.object({ Name: z.string().min(1).max(255), Value: z.string().min(1).max(1024) });
const metric = z.object({ Namespace: z.string().min(1), MetricName: z.string().min(1), Dimensions: z.array(dimension).max(30).optional() });
const stat = z.string().refine((s) => parseStatistic(s) !== undefined, { message: 'invalid statistic' });
const metricStat = z.object({ Metric: metric, Period: z.number().int().positive(), Stat: stat, Unit: z.string().optional() });
const metricDataQuery = z.object({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, 'Id must start with a lowercase letter and hold letters, digits and underscores'),
  MetricStat: metricStat.optional(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  Period: z.number().int().positive().optional(),
});

const getMetricDataInput = z.object({
  MetricDataQueries: z.array(metricDataQuery).min(1).max(500, 'The collection MetricDataQueries must not have a size greater than 500.'),
  StartTime: timestamp,
  EndTime: timestamp,
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
  MaxDatapoints: z.number().int().positive().optional(),
});

const putMetricDataInput = z.object({
  Namespace: z.string().min(1).max(255),
  MetricData: z
    .array(
      z.object({
        MetricName: z.string().min(1),
        Dimensions: z.array(dimension).max(30).optional(),
        Timestamp: timestamp.optional(),
        Value: z.number().optional(),
        StatisticValues: z.object({ SampleCount: z.number(), Sum: z.number(), Minimum: z.number(), Maximum: z.number() }).optional(),
        Values: z.array(z.number()).max(150).optional(),
        Counts: z.array(z.number()).max(150).optional(),
        Unit: z.string().optional(),
        StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

const listMetricsInput = z.object({
  Namespace: z.string().optional(),
  MetricName: z.string().optional(),
  Dimensions: z.array(z.object({ Name: z.string(), Value: z.string().optional() })).max(10).optional(),
  NextToken: z.string().optional(),
});

const putMetricAlarmInput = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: z.boolean().optional(),
  OKActions: z.array(z.string()).max(5).optional(),
  AlarmActions: z.array(z.string()).max(5).optional(),
  InsufficientDataActions: z.array(z.string()).max(5).optional(),
  MetricName: z.string().optional(),
  Namespace: z.string().optional(),
  Statistic: z.string().optional(),
  ExtendedStatistic: z.string().optional(),
  Dimensions: z.array(dimension).max(30).optional(),
  Period: z.number().int().positive().optional(),
  Unit: z.string().optional(),
  EvaluationPeriods: z.number().int(),
  DatapointsToAlarm: z.number().int().optional(),
  Threshold: z.number().optional(),
  ComparisonOperator: z.enum(COMPARISON_OPERATORS),
  TreatMissingData: z.enum(TREAT_MISSING_DATA).optional(),
  Metrics: z.array(metricDataQuery).optional(),
});

const describeAlarmsInput = z.object({
  AlarmNames: z.array(z.string()).max(100).optional(),
  AlarmNamePrefix: z.string().optional(),
  AlarmTypes: z.array(z.enum(['CompositeAlarm', 'MetricAlarm'])).optional(),
  StateValue: z.enum(ALARM_STATES).optional(),
  ActionPrefix: z.string().optional(),
  MaxRecords: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
});

const describeAlarmHistoryInput = z.object({
  AlarmName: z.string().optional(),
  AlarmTypes: z.array(z.enum(['CompositeAlarm', 'MetricAlarm'])).optional(),
  HistoryItemType: z.enum(HISTORY_ITEM_TYPES).optional(),
  StartDate: timestamp.optional(),
  EndDate: timestamp.optional(),
  MaxRecords: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
  ScanBy: z.enum(['TimestampDescending', 'TimestampAscending']).optional(),
});

const deleteAlarmsInput = z.object({ AlarmNames: z.array(z.string()).max(100) });

export interface CloudWatchDeps {
  clock: Clock;
  store: MetricStore;
  alarms: AlarmService;
}

export type Operation = (input: unknown) => unknown;

/** The operations by name. */
export function cloudWatchOperations({ clock, store, alarms }: CloudWatchDeps): Record<string, Operation> {
  return {
    GetMetricData: (raw) => getMetricData(store, validate(getMetricDataInput, raw, invalid)),

    PutMetricData: (raw) => {
      const input = validate(putMetricDataInput, raw, invalid);
      if (input.Namespace.startsWith('AWS/')) throw invalid(`The value ${input.Namespace} for parameter Namespace is invalid.`);
      for (const d of input.MetricData) {
        const forms = [d.Value !== undefined, d.StatisticValues !== undefined, d.Values !== undefined].filter(Boolean).length;
        if (forms > 1) throw new CloudApiError('InvalidParameterCombinationException', 'The parameters MetricData.member.Value, StatisticValues and Values are mutually exclusive.');
        if (d.Counts && d.Values?.length !== d.Counts.length) throw invalid('The Values and Counts arrays must be the same length.');
      }
      for (const d of input.MetricData) {
        store.put({
          metric: { namespace: input.Namespace, metricName: d.MetricName, dimensions: d.Dimensions ?? [] },
          timestampMs: d.Timestamp === undefined ? clock.nowMs() : timestampMs(d.Timestamp),
          ...compact({ value: d.Value, values: d.Values, counts: d.Counts, statistics: d.StatisticValues, unit: d.Unit, storageResolution: d.StorageResolution }),
        });
      }
      return {};
    },

    ListMetrics: (raw) => {
      const input = validate(listMetricsInput, raw, invalid);
      const metrics = store.listMetrics(compact({ namespace: input.Namespace, metricName: input.MetricName, dimensions: input.Dimensions }));
      const { page, nextToken } = paginate(metrics, 500, input.NextToken, badToken);
      return compact({ Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: m.dimensions })), NextToken: nextToken });
    },

    PutMetricAlarm: (raw) => {
      alarms.putMetricAlarm(validate(putMetricAlarmInput, raw, invalid));
      return {};
    },

    DescribeAlarms: (raw) => {
      const input = validate(describeAlarmsInput, raw, invalid);
      const wantMetricAlarms = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
      const all = wantMetricAlarms
        ? alarms.describeAlarms(compact({ alarmNames: input.AlarmNames, alarmNamePrefix: input.AlarmNamePrefix, stateValue: input.StateValue, actionPrefix: input.ActionPrefix }))
        : [];
      const { page, nextToken } = paginate(all, input.MaxRecords ?? 50, input.NextToken, badToken);
      return compact({ MetricAlarms: page.map(metricAlarmWire), CompositeAlarms: [], NextToken: nextToken });
    },

    DescribeAlarmHistory: (raw) => {
      const input = validate(describeAlarmHistoryInput, raw, invalid);
      const items =
        input.AlarmTypes?.length && !input.AlarmTypes.includes('MetricAlarm')
          ? []
          : alarms.describeHistory(
              compact({
                alarmName: input.AlarmName,
                historyItemType: input.HistoryItemType,
                startMs: input.StartDate === undefined ? undefined : timestampMs(input.StartDate),
                endMs: input.EndDate === undefined ? undefined : timestampMs(input.EndDate),
                ascending: input.ScanBy === 'TimestampAscending',
              }),
            );
      const { page, nextToken } = paginate(items, input.MaxRecords ?? 100, input.NextToken, badToken);
      return compact({ AlarmHistoryItems: page.map(({ TimestampMs, ...rest }) => ({ ...rest, Timestamp: epochS(TimestampMs) })), NextToken: nextToken });
    },

    DeleteAlarms: (raw) => {
      alarms.deleteAlarms(validate(deleteAlarmsInput, raw, invalid).AlarmNames);
      return {};
    },
  };
}

function metricAlarmWire(v: MetricAlarmView): Record<string, unknown> {
  const { StateUpdatedTimestampMs, StateTransitionedTimestampMs, AlarmConfigurationUpdatedTimestampMs, ...rest } = v;
  return {
    ...rest,
    StateUpdatedTimestamp: epochS(StateUpdatedTimestampMs),
    StateTransitionedTimestamp: epochS(StateTransitionedTimestampMs),
    AlarmConfigurationUpdatedTimestamp: epochS(AlarmConfigurationUpdatedTimestampMs),
  };
}

type GetMetricDataInput = z.output<typeof getMetricDataInput>;

/**
 * GetMetricData: each returned query's series, newest first unless ScanBy asks otherwise.
 * MaxDatapoints (default 100,800) bounds one page across all queries; a query cut by the page
 * boundary reports StatusCode PartialData and continues on the next page (NextToken).
 */
function getMetricData(store: MetricStore, input: GetMetricDataInput): unknown {
  const startMs = timestampMs(input.StartTime);
  const endMs = timestampMs(input.EndTime);
  if (!(endMs > startMs)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const ids = new Set<string>();
  for (const q of input.MetricDataQueries) {
    if (ids.has(q.Id)) throw invalid(`The Id ${q.Id} is used by more than one MetricDataQuery.`);
    ids.add(q.Id);
    if (q.Expression !== undefined) throw invalid('Metric math expressions are not supported by the simulated CloudWatch.');
    if (!q.MetricStat) throw new CloudApiError('MissingRequiredParameterException', `MetricDataQuery ${q.Id} needs MetricStat.`);
  }
  const ascending = input.ScanBy === 'TimestampAscending';
  const series = input.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => {
    const ms = q.MetricStat as NonNullable<typeof q.MetricStat>;
    const points: Datapoint[] = store.query({
      metric: { namespace: ms.Metric.Namespace, metricName: ms.Metric.MetricName, dimensions: ms.Metric.Dimensions ?? [] },
      periodS: ms.Period,
      stat: ms.Stat,
      startMs,
      endMs,
      ...(ms.Unit !== undefined ? { unit: ms.Unit } : {}),
    });
    return { id: q.Id, label: q.Label ?? ms.Metric.MetricName, points: ascending ? points : points.reverse() };
  });
  const flat = series.flatMap((s, qi) => s.points.map((p, pi) => ({ qi, pi, p })));
  const { page, nextToken } = paginate(flat, input.MaxDatapoints ?? 100_800, input.NextToken, badToken);
  const first = input.NextToken === undefined;
  const results = series.flatMap((s, qi) => {
    const mine = page.filter((e) => e.qi === qi);
    if (mine.length === 0 && !(first && s.points.length === 0)) return [];
    const last = mine[mine.length - 1];
    const partial = last !== undefined && last.pi < s.points.length - 1;
    return [
      {
        Id: s.id,
        Label: s.label,
        Timestamps: mine.map((e) => epochS(e.p.timestampMs)),
        Values: mine.map((e) => e.p.value),
        StatusCode: partial ? 'PartialData' : 'Complete',
      },
    ];
  });
  return compact({ MetricDataResults: results, Messages: [], NextToken: nextToken });
}

