/**
 * Application Auto Scaling's scale-in rules with two target-tracking policies on one target, in
 * virtual time without sockets: no scale-in while an alarm is INSUFFICIENT_DATA, and scale-in
 * only when every policy agrees.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { ControlPlane } from '../../src/sim/cloud/control-plane.js';
import type { MetricId } from '../../src/sim/cloud/types.js';
import { MapResourceRegistry } from '../../src/sim/cloud/types.js';
import { FakeResource } from '../helpers/cloud-fake-resource.js';

const S = 1000;
const T0 = Date.UTC(2026, 3, 12, 20, 0, 0);
const RESOURCE_ID = 'endpoint/llama/variant/AllTraffic';
const DIMENSIONS = [
  { Name: 'EndpointName', Value: 'llama' },
  { Name: 'VariantName', Value: 'AllTraffic' },
];

function publishEvery(clock: VirtualClock, plane: ControlPlane, metric: MetricId, periodS: number, fromMs: number, value: number): void {
  const tick = (atMs: number): void => {
    plane.store.put({ metric, timestampMs: atMs - periodS * S, value, storageResolution: periodS < 60 ? 1 : 60 });
    clock.setTimer(atMs + periodS * S, () => tick(atMs + periodS * S));
  };
  clock.setTimer(fromMs + periodS * S, () => tick(fromMs + periodS * S));
}

describe('target tracking with two policies', () => {
  it('waits for INSUFFICIENT_DATA to clear and for every AlarmLow before scaling in', async () => {
    const clock = new VirtualClock(T0);
    const resource = new FakeResource(clock, { resourceId: RESOURCE_ID, scalableDimension: 'sagemaker:variant:DesiredInstanceCount', initialCapacity: 3, provisioningDelayMs: 60 * S });
    const plane = new ControlPlane({ clock, resources: new MapResourceRegistry([resource]), config: { metrics: { highResolution: { jitterS: 0 }, standard: { jitterS: 0 } } } });
    const aas = plane.autoscaling;
    const target = { ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' };
    aas.registerScalableTarget({ ...target, MinCapacity: 1, MaxCapacity: 4 });
    const tracking = (name: string, type: string, targetValue: number) =>
      aas.putScalingPolicy({
        ...target,
        PolicyName: name,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: targetValue, PredefinedMetricSpecification: { PredefinedMetricType: type } },
      });
    const concurrency = tracking('concurrency', 'SageMakerVariantConcurrentRequestsPerModelHighResolution', 5).Alarms;
    const invocations = tracking('invocations', 'SageMakerVariantInvocationsPerInstance', 100).Alarms;
    const state = (name: string | undefined) => plane.alarms.get(name ?? '')?.StateValue;

    publishEvery(clock, plane, { namespace: 'AWS/SageMaker', metricName: 'ConcurrentRequestsPerModel', dimensions: DIMENSIONS }, 10, T0, 1);
    await clock.advanceTo(T0 + 1200 * S);
    expect(state(concurrency[1]?.AlarmName)).toBe('ALARM'); // since T0 + 910 s
    expect(state(invocations[0]?.AlarmName)).toBe('INSUFFICIENT_DATA');
    expect(resource.desiredCapacity()).toBe(3);

    // Invocations data from T0 + 1200 s: 15 low minutes, the last visible at T0 + 2160 s.
    publishEvery(clock, plane, { namespace: 'AWS/SageMaker', metricName: 'InvocationsPerInstance', dimensions: DIMENSIONS }, 60, T0 + 1200 * S, 10);
    await clock.advanceTo(T0 + 2159 * S);
    expect(state(invocations[0]?.AlarmName)).toBe('OK');
    expect(resource.desiredCapacity()).toBe(3);
    await clock.advanceTo(T0 + 2160 * S);
    expect(state(invocations[1]?.AlarmName)).toBe('ALARM');
    expect(resource.desiredCapacity()).toBe(1);
    const [activity] = aas.describeScalingActivities({ ServiceNamespace: 'sagemaker' });
    expect(activity).toMatchObject({ Description: 'Setting desired instance count to 1.', Cause: `monitor alarm ${invocations[1]?.AlarmName} in state ALARM triggered policy invocations` });
    expect(activity?.StartTimeMs).toBe(T0 + 2160 * S);
    plane.close();
  });
});
