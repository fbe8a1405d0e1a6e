/**
 * The control plane's AWS wire APIs with the real SDK clients: GetMetricData series and
 * pagination, gzip PutMetricData, ListMetrics, errors as the SDK's exception classes, policy
 * deletion, step scaling from zero copies, and detection time on a standard-resolution metric.
 */
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  InvalidNextTokenException,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  ValidationException,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  InvalidNextToken,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  ResourceNotFound,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { ControlPlane } from '../../src/sim/cloud/control-plane.js';
import { MapResourceRegistry, type ScalableDimension } from '../../src/sim/cloud/types.js';
import { FakeResource } from '../helpers/cloud-fake-resource.js';
import { startCloudServer, type CloudServer } from '../helpers/cloud-server.js';

const S = 1000;
const T0 = Date.UTC(2026, 3, 12, 20, 0, 0);
const VARIANT = 'endpoint/llama/variant/AllTraffic';
const IC = 'inference-component/llama-ic';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function world(makeResources: (clock: VirtualClock) => FakeResource[] = () => []): Promise<{ clock: VirtualClock; plane: ControlPlane; server: CloudServer }> {
  const clock = new VirtualClock(T0);
  const resources = makeResources(clock);
  const plane = new ControlPlane({
    clock,
    resources: new MapResourceRegistry(resources),
    config: { metrics: { highResolution: { lagS: 10, jitterS: 0 }, standard: { lagS: 60, jitterS: 0 } } },
  });
  const server = await startCloudServer(plane);
  cleanups.push(() => plane.close(), () => server.close());
  return { clock, plane, server };
}

function fake(clock: VirtualClock, resourceId: string, scalableDimension: ScalableDimension, initialCapacity: number, extra: { refuseAbove?: number } = {}): FakeResource {
  return new FakeResource(clock, { resourceId, scalableDimension, initialCapacity, provisioningDelayMs: 60 * S, ...extra });
}

describe('CloudWatch API', () => {
  it('GetMetricData pages a series with MaxDatapoints, ascending when asked, and computes percentiles from raw values', async () => {
    const { clock, plane, server } = await world();
    const metric = { namespace: 'Custom/Test', metricName: 'Depth', dimensions: [{ Name: 'Queue', Value: 'q1' }] };
    for (let i = 0; i < 30; i++) plane.store.put({ metric, timestampMs: T0 + i * 10 * S, value: i, storageResolution: 1 });
    plane.store.put({ metric: { ...metric, metricName: 'Latency' }, timestampMs: T0, values: Array.from({ length: 100 }, (_, i) => i + 1), unit: 'Milliseconds' });
    await clock.advanceTo(T0 + 9 * S);
    const query = {
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 300 * S),
      MetricDataQueries: [{ Id: 'depth', MetricStat: { Metric: { Namespace: 'Custom/Test', MetricName: 'Depth', Dimensions: metric.dimensions }, Period: 10, Stat: 'Maximum' } }],
    };
    expect((await server.cloudwatch.send(new GetMetricDataCommand(query))).MetricDataResults?.[0]?.Values).toEqual([]);
    await clock.advanceTo(T0 + 10 * S);

    const pages: { values: number[]; status: string | undefined; first: number | undefined }[] = [];
    let token: string | undefined;
    do {
      const out = await server.cloudwatch.send(new GetMetricDataCommand({ ...query, ScanBy: 'TimestampAscending', MaxDatapoints: 12, NextToken: token }));
      const r = out.MetricDataResults?.[0];
      pages.push({ values: r?.Values ?? [], status: r?.StatusCode, first: r?.Timestamps?.[0]?.getTime() });
      token = out.NextToken;
    } while (token);
    expect(pages.map((p) => p.values.length)).toEqual([12, 12, 6]);
    expect(pages.flatMap((p) => p.values)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(pages.map((p) => p.status)).toEqual(['PartialData', 'PartialData', 'Complete']);
    expect(pages.map((p) => p.first)).toEqual([T0, T0 + 120 * S, T0 + 240 * S]);

    // A minute period aggregates the six 10 s datapoints; StartTime rounds down to the period.
    const latency = { Namespace: 'Custom/Test', MetricName: 'Latency', Dimensions: metric.dimensions };
    const minuteQuery = (startMs: number) =>
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(T0 + 120 * S),
        MetricDataQueries: [
          { Id: 'sum', MetricStat: { Metric: { Namespace: 'Custom/Test', MetricName: 'Depth', Dimensions: metric.dimensions }, Period: 60, Stat: 'Sum' } },
          { Id: 'p99', Label: 'latency p99', MetricStat: { Metric: latency, Period: 60, Stat: 'p99', Unit: 'Milliseconds' } },
          { Id: 'p50', MetricStat: { Metric: latency, Period: 60, Stat: 'p50' } },
          { Id: 'seconds', MetricStat: { Metric: latency, Period: 60, Stat: 'Average', Unit: 'Seconds' } },
        ],
      });
    const early = await server.cloudwatch.send(minuteQuery(T0 + 30 * S));
    const [sum, p99] = early.MetricDataResults ?? [];
    expect(sum?.Timestamps?.map((d) => d.getTime())).toEqual([T0 + 60 * S, T0]);
    expect(sum?.Values).toEqual([51, 15]);
    expect(p99?.Label).toBe('latency p99');
    expect(p99?.Values).toEqual([]); // the raw values, standard resolution, are visible after the 60 s lag

    // Percentiles come from the raw values' histogram: within HDR's 0.1%.
    await clock.advanceTo(T0 + 60 * S);
    const [, later99, later50, seconds] = (await server.cloudwatch.send(minuteQuery(T0))).MetricDataResults ?? [];
    expect(later99?.Values?.[0]).toBeCloseTo(99, 1);
    expect(later50?.Values?.[0]).toBeCloseTo(50, 1);
    expect(seconds?.Values).toEqual([]); // a Unit filter that matches nothing
  });

  it('accepts a gzip-encoded PutMetricData and lists the metric once delivered', async () => {
    const { clock, server } = await world();
    const data = Array.from({ length: 1000 }, (_, i) => ({
      MetricName: 'Requests',
      Dimensions: [{ Name: 'Host', Value: `host-${i % 2}` }],
      Timestamp: new Date(T0 - 1000 * S + i * S),
      Value: 1,
      Unit: 'Count' as const,
    }));
    await server.cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Custom/Load', MetricData: data }));
    expect(server.requests.at(-1)).toEqual({ target: 'GraniteServiceVersion20100801.PutMetricData', contentEncoding: 'gzip' });
    expect((await server.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Custom/Load' }))).Metrics ?? []).toEqual([]);
    await clock.advanceTo(T0 + 60 * S);
    const listed = await server.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Custom/Load', Dimensions: [{ Name: 'Host', Value: 'host-1' }] }));
    expect(listed.Metrics).toEqual([{ Namespace: 'Custom/Load', MetricName: 'Requests', Dimensions: [{ Name: 'Host', Value: 'host-1' }] }]);
    const sum = await server.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0 - 1000 * S),
        EndTime: new Date(T0),
        MetricDataQueries: [{ Id: 's', MetricStat: { Metric: { Namespace: 'Custom/Load', MetricName: 'Requests', Dimensions: [{ Name: 'Host', Value: 'host-0' }] }, Period: 3600, Stat: 'Sum' } }],
      }),
    );
    expect(sum.MetricDataResults?.[0]?.Values).toEqual([500]);
  });

  it('maps errors to the SDK exception classes', async () => {
    const { server } = await world();
    const cw = server.cloudwatch;
    const alarm = { AlarmName: 'a', Namespace: 'Custom/X', MetricName: 'M', Statistic: 'Average' as const, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' as const };
    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, Period: 15 }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(cw.send(new PutMetricAlarmCommand({ ...alarm, Period: 15 }))).rejects.toMatchObject({ message: 'The parameter Period must be 10, 20, 30 or a multiple of 60; got 15.', $metadata: { httpStatusCode: 400 } });
    await expect(cw.send(new DescribeAlarmsCommand({ NextToken: 'garbage' }))).rejects.toBeInstanceOf(InvalidNextToken);
    await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['missing'] }))).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/SageMaker', MetricData: [{ MetricName: 'M', Value: 1 }] }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ Id: `q${i}`, MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' } }));
    await expect(cw.send(new GetMetricDataCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 60 * S), MetricDataQueries: tooMany }))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );

    const aas = server.autoscaling;
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: VARIANT, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    await expect(aas.send(new DeregisterScalableTargetCommand(target))).rejects.toBeInstanceOf(ObjectNotFoundException);
    await expect(aas.send(new DeregisterScalableTargetCommand(target))).rejects.toMatchObject({
      message: `No scalable target registered for service namespace: sagemaker, resource ID: ${VARIANT}, scalable dimension: sagemaker:variant:DesiredInstanceCount`,
    });
    await expect(aas.send(new RegisterScalableTargetCommand({ ...target, ServiceNamespace: 'ecs', MinCapacity: 1, MaxCapacity: 2 }))).rejects.toBeInstanceOf(ValidationException);
    await expect(aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }))).rejects.toBeInstanceOf(ValidationException); // no such resource
    await expect(
      aas.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'p', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 1 } })),
    ).rejects.toBeInstanceOf(ObjectNotFoundException);
    await expect(aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', NextToken: 'garbage' }))).rejects.toBeInstanceOf(InvalidNextTokenException);
  });
});

describe('Application Auto Scaling API', () => {
  it('deletes the alarms a target-tracking policy created with it, and a target with its policies', async () => {
    const { server } = await world((c) => [fake(c, VARIANT, 'sagemaker:variant:DesiredInstanceCount', 1)]);
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: VARIANT, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    await server.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 3 }));
    const tt = { PolicyType: 'TargetTrackingScaling' as const, TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' as const } } };
    await server.autoscaling.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'one', ...tt }));
    await server.autoscaling.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'two', ...tt }));
    const count = async (): Promise<number> => (await server.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-' }))).MetricAlarms?.length ?? 0;
    expect(await count()).toBe(4);
    await server.autoscaling.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'one' }));
    expect(await count()).toBe(2);
    await server.autoscaling.send(new DeregisterScalableTargetCommand(target));
    expect(await count()).toBe(0);
    expect((await server.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets).toEqual([]);
  });

  it('scales an inference component from zero copies on NoCapacityInvocationFailures (step scaling)', async () => {
    let ic!: FakeResource;
    const { clock, plane, server } = await world((c) => [(ic = fake(c, IC, 'sagemaker:inference-component:DesiredCopyCount', 0))]);
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: IC, ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount' as const };
    await server.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 2 }));
    const { PolicyARN } = await server.autoscaling.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'scale-from-zero',
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', MetricAggregationType: 'Maximum', Cooldown: 60, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] },
      }),
    );
    await server.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'llama-ic-no-capacity',
        AlarmActions: [PolicyARN ?? ''],
        Namespace: 'AWS/SageMaker',
        MetricName: 'NoCapacityInvocationFailures',
        Dimensions: [{ Name: 'InferenceComponentName', Value: 'llama-ic' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    // Three requests fail for lack of capacity in minute [T0+60, T0+120); published as the minute closes.
    await clock.advanceTo(T0 + 120 * S);
    plane.store.put({
      metric: { namespace: 'AWS/SageMaker', metricName: 'NoCapacityInvocationFailures', dimensions: [{ Name: 'InferenceComponentName', Value: 'llama-ic' }] },
      timestampMs: T0 + 60 * S,
      statistics: { SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 },
    });
    await clock.advanceTo(T0 + 180 * S);
    const [activity] = (await server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId: IC }))).ScalingActivities ?? [];
    expect(activity).toMatchObject({
      Description: 'Setting desired copy count to 1.',
      Cause: 'monitor alarm llama-ic-no-capacity in state ALARM triggered policy scale-from-zero',
      StatusCode: 'InProgress',
    });
    expect(activity?.StartTime?.getTime()).toBe(T0 + 180 * S);
    await clock.advanceTo(T0 + 240 * S);
    const [done] = (await server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId: IC }))).ScalingActivities ?? [];
    expect(done).toMatchObject({ StatusCode: 'Successful', StatusMessage: 'Successfully set desired copy count to 1. Change successfully fulfilled by sagemaker.' });
    expect(done?.EndTime?.getTime()).toBe(T0 + 240 * S);
    expect(ic.currentCapacity()).toBe(1);
  });

  it('records a Failed activity when the resource refuses, and AlreadyAtMaxCapacity as not scaled', async () => {
    let ic!: FakeResource;
    const { clock, plane, server } = await world((c) => [(ic = fake(c, IC, 'sagemaker:inference-component:DesiredCopyCount', 1, { refuseAbove: 1 }))]);
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: IC, ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount' as const };
    await server.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }));
    const { PolicyARN } = await server.autoscaling.send(
      new PutScalingPolicyCommand({ ...target, PolicyName: 'step', StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 5 }] } }),
    );
    await server.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: 'busy', AlarmActions: [PolicyARN ?? ''], Namespace: 'Custom/IC', MetricName: 'Busy', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    plane.store.put({ metric: { namespace: 'Custom/IC', metricName: 'Busy', dimensions: [] }, timestampMs: T0, value: 9 });
    await clock.advanceTo(T0 + 60 * S);
    const [failed] = (await server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker' }))).ScalingActivities ?? [];
    expect(failed).toMatchObject({
      Description: 'Setting desired copy count to 2.',
      StatusCode: 'Failed',
      StatusMessage: 'Failed to set desired copy count to 2. Reason: capacity 2 exceeds the account quota of 1',
    });
    expect(failed?.EndTime?.getTime()).toBe(T0 + 60 * S);

    // With MaxCapacity lowered to the current capacity, the next repeat of the alarm cannot scale.
    await server.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MaxCapacity: 1 }));
    await clock.advanceTo(T0 + 120 * S);
    const [notScaled] = (await server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', IncludeNotScaledActivities: true }))).ScalingActivities ?? [];
    expect(notScaled).toMatchObject({
      Description: 'Attempting to scale due to alarm triggered',
      Cause: 'monitor alarm busy in state ALARM triggered policy step',
      StatusCode: 'Failed',
      NotScaledReasons: [{ Code: 'AlreadyAtMaxCapacity', MaxCapacity: 1, CurrentCapacity: 1 }],
    });
    const scaledOnly = (await server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker' }))).ScalingActivities ?? [];
    expect(scaledOnly.map((a) => a.StatusCode)).toEqual(['Failed']);
  });
});

describe('standard-resolution target tracking', () => {
  it('detects a step after 3 one-minute datapoints plus the 60 s delivery lag', async () => {
    let variant!: FakeResource;
    const { clock, plane, server } = await world((c) => [(variant = fake(c, VARIANT, 'sagemaker:variant:DesiredInstanceCount', 1))]);
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: VARIANT, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    await server.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }));
    const { Alarms = [] } = await server.autoscaling.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'invocations',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
      }),
    );
    const high = Alarms.find((a) => a.AlarmName?.includes('AlarmHigh'))?.AlarmName ?? '';
    expect(plane.alarms.get(high)).toMatchObject({ Period: 60, EvaluationPeriods: 3, Statistic: 'Sum', Threshold: 100, MetricName: 'InvocationsPerInstance' });
    const t0 = T0 + 600 * S;
    const metric = { namespace: 'AWS/SageMaker', metricName: 'InvocationsPerInstance', dimensions: [{ Name: 'EndpointName', Value: 'llama' }, { Name: 'VariantName', Value: 'AllTraffic' }] };
    const publish = (atMs: number): void => {
      const v = atMs - 60 * S >= t0 ? 300 : 50;
      plane.store.put({ metric, timestampMs: atMs - 60 * S, statistics: { SampleCount: v, Sum: v, Minimum: 1, Maximum: 1 } });
      clock.setTimer(atMs + 60 * S, () => publish(atMs + 60 * S));
    };
    clock.setTimer(T0 + 60 * S, () => publish(T0 + 60 * S));
    await clock.advanceTo(t0 + 239 * S);
    expect(plane.alarms.get(high)?.StateValue).toBe('OK');
    await clock.advanceTo(t0 + 240 * S);
    expect(plane.alarms.get(high)?.StateValue).toBe('ALARM');
    expect(variant.desiredCapacity()).toBe(3);
  });
});
