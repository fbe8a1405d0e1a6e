/**
 * The control plane end to end in virtual time, through the real AWS SDK clients: a step in
 * ConcurrentRequestsPerModel drives a high-resolution target-tracking policy out and back in.
 * Delivery jitter is 0 and the lag 10 s, so every instant below is exact.
 */
import {
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { ControlPlane } from '../../src/sim/cloud/control-plane.js';
import { MapResourceRegistry } from '../../src/sim/cloud/types.js';
import { FakeResource } from '../helpers/cloud-fake-resource.js';
import { startCloudServer, type CloudServer } from '../helpers/cloud-server.js';

const S = 1000;
const T0 = Date.UTC(2026, 3, 12, 20, 0, 0);
const RESOURCE_ID = 'endpoint/llama/variant/AllTraffic';
const DIMENSIONS = [
  { Name: 'EndpointName', Value: 'llama' },
  { Name: 'VariantName', Value: 'AllTraffic' },
];
const METRIC = { namespace: 'AWS/SageMaker', metricName: 'ConcurrentRequestsPerModel', dimensions: DIMENSIONS };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface World {
  clock: VirtualClock;
  plane: ControlPlane;
  resource: FakeResource;
  server: CloudServer;
}

async function world(): Promise<World> {
  const clock = new VirtualClock(T0);
  const resource = new FakeResource(clock, {
    resourceId: RESOURCE_ID,
    scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    initialCapacity: 1,
    provisioningDelayMs: 240 * S,
  });
  const plane = new ControlPlane({
    clock,
    resources: new MapResourceRegistry([resource]),
    config: { metrics: { highResolution: { lagS: 10, jitterS: 0 }, standard: { lagS: 60, jitterS: 0 } } },
  });
  const server = await startCloudServer(plane);
  cleanups.push(() => plane.close(), () => server.close());
  return { clock, plane, resource, server };
}

/**
 * Publishes ConcurrentRequestsPerModel the way the simulator does: when each 10 s period closes,
 * its Maximum of total concurrency / instances in service, sampled at the period's start.
 */
function publishConcurrency(w: World, totalAt: (tMs: number) => number): void {
  let sample = { startMs: T0, value: totalAt(T0) / w.resource.currentCapacity() };
  const tick = (atMs: number): void => {
    const v = sample.value;
    w.plane.store.put({ metric: METRIC, timestampMs: sample.startMs, statistics: { SampleCount: 1, Sum: v, Minimum: v, Maximum: v }, storageResolution: 1 });
    sample = { startMs: atMs, value: totalAt(atMs) / w.resource.currentCapacity() };
    w.clock.setTimer(atMs + 10 * S, () => tick(atMs + 10 * S));
  };
  w.clock.setTimer(T0 + 10 * S, () => tick(T0 + 10 * S));
}

const t0 = T0 + 600 * S; // load steps up: 2 → 18 concurrent requests
const t1 = t0 + 900 * S; // down to 8
const t2 = t1 + 1000 * S; // down to 2
const totalAt = (tMs: number): number => (tMs >= t2 ? 2 : tMs >= t1 ? 8 : tMs >= t0 ? 18 : 2);

async function setUpPolicy(w: World): Promise<{ high: string; low: string }> {
  await w.server.autoscaling.send(
    new RegisterScalableTargetCommand({ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 1, MaxCapacity: 4 }),
  );
  const put = await w.server.autoscaling.send(
    new PutScalingPolicyCommand({
      PolicyName: 'concurrency',
      ServiceNamespace: 'sagemaker',
      ResourceId: RESOURCE_ID,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 5,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
      },
    }),
  );
  const names = (put.Alarms ?? []).map((a) => a.AlarmName ?? '');
  const high = names.find((n) => n.includes('-AlarmHigh-')) ?? '';
  const low = names.find((n) => n.includes('-AlarmLow-')) ?? '';
  return { high, low };
}

async function activities(w: World, includeNotScaled = false): Promise<ScalingActivity[]> {
  const out = await w.server.autoscaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, IncludeNotScaledActivities: includeNotScaled }));
  return out.ScalingActivities ?? [];
}

describe('control plane: target tracking on a high-resolution metric', () => {
  it('creates AlarmHigh and AlarmLow with the documented shapes', async () => {
    const w = await world();
    const { high, low } = await setUpPolicy(w);
    expect(high).toMatch(/^TargetTracking-endpoint\/llama\/variant\/AllTraffic-AlarmHigh-[0-9a-f-]{36}$/);
    expect(low).toBe(high.replace('AlarmHigh', 'AlarmLow'));
    const { MetricAlarms = [] } = await w.server.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-' }));
    const byName = new Map(MetricAlarms.map((a) => [a.AlarmName, a]));
    expect(byName.get(high)).toMatchObject({
      Namespace: 'AWS/SageMaker',
      MetricName: 'ConcurrentRequestsPerModel',
      Dimensions: DIMENSIONS,
      Statistic: 'Maximum',
      Period: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
    });
    expect(byName.get(low)).toMatchObject({ Period: 10, EvaluationPeriods: 90, DatapointsToAlarm: 90, Threshold: 4.5, ComparisonOperator: 'LessThanThreshold' });
    const policies = await w.server.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' }));
    const policy = policies.ScalingPolicies?.[0];
    expect(policy?.PolicyARN).toMatch(/^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:resource\/sagemaker\/endpoint\/llama\/variant\/AllTraffic:policyName\/concurrency$/);
    expect(policy?.Alarms?.map((a) => a.AlarmName)).toEqual([high, low]);
    expect(byName.get(high)?.AlarmActions).toEqual([policy?.PolicyARN]);
  });

  it('scales out 40 s after the step, is ready after provisioning, and scales in after the AlarmLow window and the cooldown', async () => {
    const w = await world();
    const { high, low } = await setUpPolicy(w);
    publishConcurrency(w, totalAt);

    // 3 datapoints of 10 s (the third closes at t0 + 30 s) + 10 s delivery lag.
    await w.clock.advanceTo(t0 + 39 * S);
    expect(w.plane.alarms.get(high)?.StateValue).toBe('OK');
    await w.clock.advanceTo(t0 + 40 * S);
    const alarmed = (await w.server.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [high] }))).MetricAlarms?.[0];
    expect(alarmed?.StateValue).toBe('ALARM');
    expect(alarmed?.StateTransitionedTimestamp?.getTime()).toBe(t0 + 40 * S);
    expect(alarmed?.StateReason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [18.0 (12/04/26 20:10:20), 18.0 (12/04/26 20:10:10), 18.0 (12/04/26 20:10:00)] ' +
        'were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );

    const [scaleOut] = await activities(w);
    expect(scaleOut).toMatchObject({
      Description: 'Setting desired instance count to 4.',
      Cause: `monitor alarm ${high} in state ALARM triggered policy concurrency`,
      StatusCode: 'InProgress',
    });
    expect(scaleOut?.StartTime?.getTime()).toBe(t0 + 40 * S);
    expect(w.resource.desiredCapacity()).toBe(4);

    // The alarm keeps invoking the policy every minute; capacity already asked for counts.
    await w.clock.advanceTo(t0 + 279 * S);
    expect((await activities(w))[0]?.StatusCode).toBe('InProgress');
    const notScaled = (await activities(w, true)).filter((a) => a.NotScaledReasons);
    expect(notScaled.map((a) => a.NotScaledReasons?.[0]?.Code)).toEqual(['AlreadyAtDesiredCapacity']);
    expect(notScaled[0]?.StartTime?.getTime()).toBe(t0 + 100 * S);

    await w.clock.advanceTo(t0 + 280 * S);
    const ready = (await activities(w))[0];
    expect(ready).toMatchObject({ StatusCode: 'Successful', StatusMessage: 'Successfully set desired instance count to 4. Change successfully fulfilled by sagemaker.' });
    expect(ready?.EndTime?.getTime()).toBe(t0 + 280 * S);

    // 18 / 4 = 4.5: neither above 5 nor below 4.5, so the alarms settle.
    await w.clock.advanceTo(t1);
    expect(w.plane.alarms.get(high)?.StateValue).toBe('OK');
    expect(w.plane.alarms.get(low)?.StateValue).toBe('OK');

    // 8 / 4 = 2 < 4.5 from t1: the 90th low datapoint closes at t1 + 900 s, visible 10 s later.
    await w.clock.advanceTo(t1 + 909 * S);
    expect(w.plane.alarms.get(low)?.StateValue).toBe('OK');
    await w.clock.advanceTo(t1 + 910 * S);
    expect(w.plane.alarms.get(low)?.StateValue).toBe('ALARM');
    const firstIn = (await activities(w))[0];
    expect(firstIn).toMatchObject({ Description: 'Setting desired instance count to 2.', Cause: `monitor alarm ${low} in state ALARM triggered policy concurrency`, StatusCode: 'Successful' });
    expect(firstIn?.StartTime?.getTime()).toBe(t1 + 910 * S);
    expect(firstIn?.EndTime?.getTime()).toBe(t1 + 910 * S);

    // From t2 the load asks for 1 instance, but the 300 s scale-in cooldown holds until t1 + 1210 s.
    await w.clock.advanceTo(t1 + 1209 * S);
    expect(w.resource.desiredCapacity()).toBe(2);
    await w.clock.advanceTo(t1 + 1210 * S);
    const secondIn = (await activities(w))[0];
    expect(secondIn).toMatchObject({ Description: 'Setting desired instance count to 1.', StatusCode: 'Successful' });
    expect(secondIn?.StartTime?.getTime()).toBe(t1 + 1210 * S);
    expect((await activities(w)).map((a) => a.Description)).toEqual([
      'Setting desired instance count to 1.',
      'Setting desired instance count to 2.',
      'Setting desired instance count to 4.',
    ]);

    // DescribeAlarmHistory shows the transitions, oldest first when asked.
    const history = await w.server.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: high, HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending' }));
    expect(history.AlarmHistoryItems?.map((h) => [h.HistorySummary, h.Timestamp?.getTime()])).toEqual([
      ['Alarm updated from INSUFFICIENT_DATA to OK', T0 + 20 * S],
      ['Alarm updated from OK to ALARM', t0 + 40 * S],
      ['Alarm updated from ALARM to OK', t0 + 300 * S],
    ]);
    const toAlarm = JSON.parse(history.AlarmHistoryItems?.[1]?.HistoryData ?? '{}') as { oldState: { stateValue: string }; newState: { stateValue: string; stateReason: string } };
    expect(toAlarm.oldState.stateValue).toBe('OK');
    expect(toAlarm.newState.stateValue).toBe('ALARM');
    expect(toAlarm.newState.stateReason).toBe(alarmed?.StateReason);
    const actions = await w.server.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: high, HistoryItemType: 'Action' }));
    expect(actions.AlarmHistoryItems?.map((h) => h.HistorySummary)).toEqual([expect.stringMatching(/^Successfully executed action arn:aws:autoscaling:/)]);

    // GetMetricData returns what was published around the step, newest first.
    const data = await w.server.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(t0 - 20 * S),
        EndTime: new Date(t0 + 30 * S),
        MetricDataQueries: [{ Id: 'c', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ConcurrentRequestsPerModel', Dimensions: DIMENSIONS }, Period: 10, Stat: 'Maximum' } }],
      }),
    );
    const series = data.MetricDataResults?.[0];
    expect(series?.Timestamps?.map((d) => d.getTime())).toEqual([t0 + 20 * S, t0 + 10 * S, t0, t0 - 10 * S, t0 - 20 * S]);
    expect(series?.Values).toEqual([18, 18, 18, 2, 2]);
    expect(series?.StatusCode).toBe('Complete');
  });
});
