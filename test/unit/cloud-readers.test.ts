/**
 * The cloud readers' pure parts, with exact tables: period by age, the GetMetricData call planner,
 * the mappings of activities, policies, alarm roles and history items, and the warnings.
 */
import { describe, expect, it } from 'vitest';
import { parseTransition } from '../../src/cloud/alarms.js';
import { parseDateHeader } from '../../src/cloud/clients.js';
import { MAX_DATAPOINTS_PER_CALL, periodForAge, planMetricCalls, type PlannedQuery } from '../../src/cloud/metric-plan.js';
import { metricQueriesFor } from '../../src/cloud/metrics.js';
import { resourceOf } from '../../src/cloud/resource.js';
import { alarmRole, parseToCapacity, toPolicyInfo, toScalingActivity } from '../../src/cloud/scaling.js';
import { isPermissionDenied, READS, readWarning } from '../../src/cloud/warnings.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
const T = Date.UTC(2026, 3, 12, 20, 0, 0);

describe('periodForAge', () => {
  it.each([
    [10, 0, 10],
    [10, 3 * H - 5 * MIN, 10],
    [10, 3 * H - 5 * MIN + 1, 60],
    [60, 1 * H, 60],
    [10, 15 * D, 60],
    [10, 15 * D + 1, 300],
    [60, 63 * D, 300],
    [60, 63 * D + 1, 3600],
  ])('own period %i s, start %i ms ago → %i s', (native, ageMs, expected) => {
    expect(periodForAge(native, ageMs)).toBe(expected);
  });
});

const queries = (n: number, periodS: number, prefix = 'q'): PlannedQuery[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, periodS }));
const shape = (calls: ReturnType<typeof planMetricCalls>): [number, string, number, number][] =>
  calls.map((c) => [c.queries.length, c.queries[0]?.id ?? '', (c.startMs - T) / S, (c.endMs - T) / S]);

describe('planMetricCalls', () => {
  it('fits a resource’s queries in one call, the window widened to whole minutes', () => {
    const qs = [...queries(1, 10, 'c'), ...queries(13, 60)];
    expect(shape(planMetricCalls(qs, { startMs: T + 5 * S, endMs: T + H + 5 * S }))).toEqual([[14, 'c0', 0, 3660]]);
  });

  it('takes 500 queries a call', () => {
    expect(shape(planMetricCalls(queries(600, 60), { startMs: T, endMs: T + H }))).toEqual([
      [500, 'q0', 0, 3600],
      [100, 'q500', 0, 3600],
    ]);
  });

  it('cuts a window whose datapoints exceed 100,800 into slices of whole periods', () => {
    // 100 × 1080 = 108,000 points: slices of floor(100,800 / 100) = 1008 periods.
    expect(shape(planMetricCalls(queries(100, 10), { startMs: T, endMs: T + 3 * H }))).toEqual([
      [100, 'q0', 0, 10_080],
      [100, 'q0', 10_080, 10_800],
    ]);
    // 500 × 360: 201 periods a slice; the remaining 100 queries fit whole.
    expect(shape(planMetricCalls(queries(600, 10), { startMs: T, endMs: T + H }))).toEqual([
      [500, 'q0', 0, 2010],
      [500, 'q0', 2010, 3600],
      [100, 'q500', 0, 3600],
    ]);
  });

  it('slices a mixed group on the least common multiple of its periods, each datapoint once and within the limit', () => {
    const qs = [...queries(250, 10, 'h'), ...queries(250, 60, 'm')];
    const calls = planMetricCalls(qs, { startMs: T, endMs: T + D });
    // Per minute 250 × 6 + 250 × 1 = 1750 points: 57 minutes a slice.
    expect(calls).toHaveLength(26);
    expect(shape(calls).slice(-2)).toEqual([
      [500, 'h0', 24 * 3420, 25 * 3420],
      [500, 'h0', 25 * 3420, 86_400],
    ]);
    const points = (c: (typeof calls)[number]): number => c.queries.reduce((a, q) => a + (c.endMs - c.startMs) / (q.periodS * S), 0);
    expect(Math.max(...calls.map(points))).toBeLessThanOrEqual(MAX_DATAPOINTS_PER_CALL);
    expect(calls.reduce((a, c) => a + points(c), 0)).toBe(250 * 8640 + 250 * 1440);
    for (const [i, c] of calls.entries()) if (i > 0) expect(c.startMs).toBe(calls[i - 1]?.endMs);
  });

  it('honours other limits, and asks for one period of an empty window', () => {
    const qs = [...queries(2, 60), { id: 'c', periodS: 60 }];
    expect(shape(planMetricCalls(qs, { startMs: T, endMs: T + 10 * MIN }, { maxQueries: 2, maxDatapoints: 10 }))).toEqual([
      [2, 'q0', 0, 300],
      [2, 'q0', 300, 600],
      [1, 'c', 0, 600],
    ]);
    expect(shape(planMetricCalls(queries(1, 60), { startMs: T + 30 * S, endMs: T + 30 * S }))).toEqual([[1, 'q0', 0, 60]]);
  });
});

describe('metricQueriesFor', () => {
  it('reads a variant by EndpointName and VariantName, with stable ids', () => {
    const qs = metricQueriesFor(resourceOf({ endpointName: 'llama', variantName: 'AllTraffic' }));
    expect(qs.map((q) => [q.id, q.namespace, q.metricName, q.stat, q.nativePeriodS])).toEqual([
      ['concurrency_max', 'AWS/SageMaker', 'ConcurrentRequestsPerModel', 'Maximum', 10],
      ['invocations_sum', 'AWS/SageMaker', 'Invocations', 'Sum', 60],
      ['model_latency_avg', 'AWS/SageMaker', 'ModelLatency', 'Average', 60],
      ['model_latency_p50', 'AWS/SageMaker', 'ModelLatency', 'p50', 60],
      ['model_latency_p99', 'AWS/SageMaker', 'ModelLatency', 'p99', 60],
      ['overhead_latency_avg', 'AWS/SageMaker', 'OverheadLatency', 'Average', 60],
      ['errors_4xx_sum', 'AWS/SageMaker', 'Invocation4XXErrors', 'Sum', 60],
      ['errors_5xx_sum', 'AWS/SageMaker', 'Invocation5XXErrors', 'Sum', 60],
      ['model_errors_sum', 'AWS/SageMaker', 'InvocationModelErrors', 'Sum', 60],
      ['invocations_per_instance_sum', 'AWS/SageMaker', 'InvocationsPerInstance', 'Sum', 60],
      ['gpu_utilization_avg', '/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average', 60],
      ['gpu_memory_utilization_avg', '/aws/sagemaker/Endpoints', 'GPUMemoryUtilization', 'Average', 60],
      ['cpu_utilization_avg', '/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average', 60],
    ]);
    expect(new Set(qs.map((q) => JSON.stringify(q.dimensions)))).toEqual(new Set([JSON.stringify({ EndpointName: 'llama', VariantName: 'AllTraffic' })]));
  });

  it('reads a component by InferenceComponentName', () => {
    const qs = metricQueriesFor(resourceOf({ endpointName: 'ep', inferenceComponentName: 'ic-1' }));
    expect(qs.map((q) => q.metricName)).toEqual([
      'ConcurrentRequestsPerCopy',
      'Invocations',
      'ModelLatency',
      'ModelLatency',
      'ModelLatency',
      'OverheadLatency',
      'Invocation4XXErrors',
      'Invocation5XXErrors',
      'InvocationModelErrors',
      'InvocationsPerCopy',
      'NoCapacityInvocationFailures',
      'GPUUtilizationNormalized',
      'GPUMemoryUtilizationNormalized',
      'CPUUtilizationNormalized',
    ]);
    expect(qs.every((q) => q.dimensions.InferenceComponentName === 'ic-1' && Object.keys(q.dimensions).length === 1)).toBe(true);
    expect(qs.map((q) => q.id)).toContain('no_capacity_failures_sum');
  });
});

describe('resourceOf', () => {
  it.each([
    [{ endpointName: 'ep', variantName: 'v1' }, 'endpoint/ep/variant/v1', 'sagemaker:variant:DesiredInstanceCount'],
    [{ endpointName: 'ep', variantName: 'v1', inferenceComponentName: 'ic' }, 'inference-component/ic', 'sagemaker:inference-component:DesiredCopyCount'],
  ])('%j → %s', (target, resourceId, scalableDimension) => {
    expect(resourceOf(target)).toMatchObject({ resourceId, scalableDimension });
  });
});

describe('scaling activities and policies', () => {
  it.each([
    ['Setting desired instance count to 3.', 3],
    ['Setting desired copy count to 12.', 12],
    ['Setting desired count to 0.', 0],
    ['Failed to set desired instance count', undefined],
  ])('toCapacity of %j is %j', (description, expected) => {
    expect(parseToCapacity(description)).toBe(expected);
  });

  it('maps an activity, its not-scaled reasons and an unknown status', () => {
    expect(
      toScalingActivity({
        ActivityId: 'a1',
        ServiceNamespace: 'sagemaker',
        ResourceId: 'inference-component/ic',
        ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
        Description: 'Attempting to set desired copy count.',
        Cause: 'monitor alarm X in state ALARM triggered policy p',
        StartTime: new Date(T),
        StatusCode: 'Weird' as 'Failed',
        NotScaledReasons: [{ Code: 'AlreadyAtMaxCapacity', MaxCapacity: 4 }],
      }),
    ).toEqual({
      activityId: 'a1',
      startMs: T,
      statusCode: 'Failed',
      description: 'Attempting to set desired copy count.',
      cause: 'monitor alarm X in state ALARM triggered policy p',
      notScaledReasons: ['AlreadyAtMaxCapacity'],
    });
  });

  const step = (adjustments: number[], type = 'ChangeInCapacity') => ({
    PolicyName: 'step',
    PolicyType: 'StepScaling' as const,
    StepScalingPolicyConfiguration: { AdjustmentType: type as 'ChangeInCapacity', Cooldown: 120, StepAdjustments: adjustments.map((a) => ({ ScalingAdjustment: a })) },
  });

  it.each([
    [{}, 'TargetTracking-endpoint/e/variant/v-AlarmHigh-1234', 'scale-out'],
    [{}, 'TargetTracking-endpoint/e/variant/v-AlarmLow-1234', 'scale-in'],
    [step([1, 2]), 'my-high-alarm', 'scale-out'],
    [step([-1]), 'my-low-alarm', 'scale-in'],
    [step([-1, 1]), 'mixed', 'other'],
    [step([3], 'ExactCapacity'), 'exact', 'other'],
    [{}, 'unrelated', 'other'],
  ])('alarm role: %j, %s → %s', (policy, name, role) => {
    expect(alarmRole(policy, name)).toBe(role);
  });

  it('maps a step policy, its cooldown by direction', () => {
    expect(toPolicyInfo({ ...step([1]), Alarms: [{ AlarmName: 'hi', AlarmARN: 'arn' }] })).toEqual({ name: 'step', type: 'StepScaling', scaleOutCooldownS: 120, alarmNames: ['hi'] });
  });

  it('names a customized target-tracking metric', () => {
    expect(
      toPolicyInfo({
        PolicyName: 'custom',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 7, CustomizedMetricSpecification: { MetricName: 'QueueDepth', Namespace: 'Mine', Statistic: 'Average' } },
      }),
    ).toEqual({ name: 'custom', type: 'TargetTrackingScaling', metric: 'QueueDepth', targetValue: 7, alarmNames: [] });
  });
});

describe('parseTransition', () => {
  const base = { AlarmName: 'a', Timestamp: new Date(T), HistoryItemType: 'StateUpdate' as const };
  it.each([
    ['HistoryData states', { HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: 'OK' }, newState: { stateValue: 'ALARM' } }), HistorySummary: 'x' }, ['OK', 'ALARM']],
    ['the summary when HistoryData has none', { HistoryData: '{}', HistorySummary: 'Alarm updated from INSUFFICIENT_DATA to OK' }, ['INSUFFICIENT_DATA', 'OK']],
    ['the summary when HistoryData is not JSON', { HistoryData: 'nope', HistorySummary: 'Alarm updated from ALARM to OK' }, ['ALARM', 'OK']],
    ['nothing from neither', { HistorySummary: 'Alarm updated from OK to PURPLE' }, undefined],
  ])('reads %s', (_what, item, states) => {
    const t = parseTransition({ ...base, ...item });
    expect(t === undefined ? undefined : [t.from, t.to]).toEqual(states);
    if (t) expect(t).toMatchObject({ alarmName: 'a', tMs: T, summary: item.HistorySummary });
  });
});

describe('warnings', () => {
  const named = (name: string, extra: object = {}): Error => Object.assign(new Error('not authorized'), { name, ...extra });

  it.each([
    [named('AccessDeniedException'), true],
    [named('AccessDenied'), true],
    [named('UnauthorizedOperation'), true],
    [named('CloudWatchServiceException', { Code: 'AccessDenied' }), true],
    [named('ThrottlingException'), false],
    ['AccessDenied', false],
  ])('%o is a denial: %s', (e, denied) => {
    expect(isPermissionDenied(e)).toBe(denied);
  });

  it('names the permission and what is missing', () => {
    expect(readWarning(READS.getMetricData, named('AccessDeniedException'))).toBe('cloudwatch:GetMetricData denied: metric series are missing from the report');
    expect(readWarning(READS.describeAlarmHistory, named('ThrottlingException', { message: 'Rate exceeded' }))).toBe(
      'cloudwatch:DescribeAlarmHistory failed (ThrottlingException: Rate exceeded): alarm transitions are missing from the report (no detection figure)',
    );
    expect(readWarning(READS.describeEndpoint, new Error('socket hang up'))).toBe('sagemaker:DescribeEndpoint failed (socket hang up): instance-count samples are missing from the report');
  });
});

describe('parseDateHeader', () => {
  it.each([
    [{ date: 'Sun, 12 Apr 2026 20:00:01 GMT' }, T + S],
    [{ Date: 'Sun, 12 Apr 2026 20:00:01 GMT' }, T + S],
    [{ date: 'yesterday' }, undefined],
    [{}, undefined],
    [undefined, undefined],
  ])('%j → %j', (headers, expected) => {
    expect(parseDateHeader(headers)).toBe(expected);
  });
});
