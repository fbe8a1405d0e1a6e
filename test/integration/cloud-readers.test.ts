/**
 * The cloud readers against the simulated control plane through the real AWS SDK clients, in
 * virtual time: a step in ConcurrentRequestsPerModel scales a fake resource out through a
 * high-resolution target-tracking policy, then collectCloudData reads it back. The SageMaker
 * control-plane calls go to the simulator's own SageMaker API (src/sim/sagemaker-api.ts).
 * Delivery jitter is 0 and the lags 10 s / 60 s, so every instant below is exact.
 */
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { UpdateEndpointWeightsAndCapacitiesCommand, UpdateInferenceComponentRuntimeConfigCommand } from '@aws-sdk/client-sagemaker';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCapacitySampler } from '../../src/cloud/capacity-sampler.js';
import { createCloudClients, type CloudClients } from '../../src/cloud/clients.js';
import { collectCloudData, writeCloudJson, type CollectOptions } from '../../src/cloud/collect.js';
import { fetchMetricSeries, metricQueriesFor, SAGEMAKER_NAMESPACE, type MetricQuery } from '../../src/cloud/metrics.js';
import { resourceOf } from '../../src/cloud/resource.js';
import type { CapacitySample, CloudData, MetricPoint } from '../../src/cloud/types.js';
import { RESOURCE_ID, S, startReadersWorld, waitFor, type ReadersWorld } from '../helpers/cloud-readers-world.js';

const T0 = Date.UTC(2026, 3, 12, 20, 0, 0);
const t0 = T0 + 600 * S; // load steps up: 2 → 18 concurrent requests
const WINDOW = { startMs: T0 + 300 * S, endMs: T0 + 1500 * S };
const SETTLE_MS = 20 * S;
const DIMENSIONS = [
  { Name: 'EndpointName', Value: 'llama' },
  { Name: 'VariantName', Value: 'AllTraffic' },
];
const TARGET = { endpointName: 'llama', variantName: 'AllTraffic' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Published {
  concurrency: MetricPoint[];
  invocations: MetricPoint[];
}

/**
 * Publishes as the simulator does, each period's aggregate when it closes: ConcurrentRequestsPerModel
 * every 10 s (Maximum of total / instances in service at the period's start), Invocations every minute.
 */
function publish(w: ReadersWorld): Published {
  const published: Published = { concurrency: [], invocations: [] };
  const totalAt = (tMs: number): number => (tMs >= t0 ? 18 : 2);
  const highRes = (startMs: number): void => {
    const value = totalAt(startMs) / w.resource.currentCapacity();
    w.clock.setTimer(startMs + 10 * S, () => {
      w.plane.store.put({
        metric: { namespace: SAGEMAKER_NAMESPACE, metricName: 'ConcurrentRequestsPerModel', dimensions: DIMENSIONS },
        timestampMs: startMs,
        statistics: { SampleCount: 1, Sum: value, Minimum: value, Maximum: value },
        storageResolution: 1,
      });
      published.concurrency.push({ tMs: startMs, value });
      highRes(startMs + 10 * S);
    });
  };
  const minute = (startMs: number): void => {
    w.clock.setTimer(startMs + 60 * S, () => {
      const value = 10 + (startMs - T0) / (60 * S);
      w.plane.store.put({ metric: { namespace: SAGEMAKER_NAMESPACE, metricName: 'Invocations', dimensions: DIMENSIONS }, timestampMs: startMs, value });
      published.invocations.push({ tMs: startMs, value });
      minute(startMs + 60 * S);
    });
  };
  highRes(T0);
  minute(T0);
  return published;
}

async function world(): Promise<{ w: ReadersWorld; clients: CloudClients }> {
  const w = await startReadersWorld({ startMs: T0, provisioningDelayMs: 240 * S });
  const clients = createCloudClients({ endpointUrl: w.url, region: 'us-east-1' }, w.clock);
  cleanups.push(() => w.close(), () => clients.destroy());
  return { w, clients };
}

async function setUpPolicy(clients: CloudClients): Promise<{ high: string; low: string }> {
  const dim = 'sagemaker:variant:DesiredInstanceCount';
  await clients.autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'sagemaker', ResourceId: RESOURCE_ID, ScalableDimension: dim, MinCapacity: 1, MaxCapacity: 4 }));
  const put = await clients.autoscaling.send(
    new PutScalingPolicyCommand({
      PolicyName: 'concurrency',
      ServiceNamespace: 'sagemaker',
      ResourceId: RESOURCE_ID,
      ScalableDimension: dim,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 5,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
        ScaleInCooldown: 300,
      },
    }),
  );
  const names = (put.Alarms ?? []).map((a) => a.AlarmName ?? '');
  return { high: names.find((n) => n.includes('-AlarmHigh-')) ?? '', low: names.find((n) => n.includes('-AlarmLow-')) ?? '' };
}

/** Runs collectCloudData while the clock moves to the end of its settle time. */
async function collect(w: ReadersWorld, extra: Partial<CollectOptions> = {}): Promise<CloudData> {
  const pending = collectCloudData({
    clientsConfig: { endpointUrl: w.url, region: 'us-east-1' },
    target: TARGET,
    window: WINDOW,
    settleMs: SETTLE_MS,
    marginMs: 60 * S,
    clock: w.clock,
    source: 'simulator',
    ...extra,
  });
  await w.clock.advanceTo(WINDOW.endMs + SETTLE_MS);
  return pending;
}

/** What GetMetricData can return at `nowMs`: in [startMs, endMs) and delivered (period closed + lag). */
const delivered = (points: MetricPoint[], periodS: number, lagS: number, nowMs: number, window = WINDOW): MetricPoint[] =>
  points.filter((p) => p.tMs >= window.startMs && p.tMs < window.endMs && p.tMs + (periodS + lagS) * S <= nowMs);

const count = (w: ReadersWorld, op: string): number => w.targets.filter((t) => t.endsWith(`.${op}`)).length;

describe('collectCloudData against the simulated control plane', () => {
  it('reads the metric series as published, ascending, with their periods', async () => {
    const { w, clients } = await world();
    await setUpPolicy(clients);
    const published = publish(w);
    const data = await collect(w);

    const fetchedAt = WINDOW.endMs + SETTLE_MS;
    expect(data.fetchedAtMs).toBe(fetchedAt);
    const concurrency = data.metrics.find((m) => m.id === 'concurrency_max');
    expect(concurrency).toMatchObject({
      namespace: 'AWS/SageMaker',
      metricName: 'ConcurrentRequestsPerModel',
      dimensions: { EndpointName: 'llama', VariantName: 'AllTraffic' },
      stat: 'Maximum',
      periodS: 10,
    });
    const expected = delivered(published.concurrency, 10, 10, fetchedAt);
    expect(expected).toHaveLength(120);
    expect(concurrency?.points).toEqual(expected);
    // The step and the scale-out to 4 instances (ready at t0 + 280 s) are in the data.
    expect(concurrency?.points.find((p) => p.tMs === t0 - 10 * S)?.value).toBe(2);
    expect(concurrency?.points.find((p) => p.tMs === t0)?.value).toBe(18);
    expect(concurrency?.points.find((p) => p.tMs === t0 + 280 * S)?.value).toBe(4.5);

    const invocations = data.metrics.find((m) => m.id === 'invocations_sum');
    expect(invocations).toMatchObject({ metricName: 'Invocations', stat: 'Sum', periodS: 60 });
    expect(invocations?.points).toEqual(delivered(published.invocations, 60, 60, fetchedAt));
    expect(invocations?.points).toHaveLength(19);
    // Nothing else was published: no empty series.
    expect(data.metrics.map((m) => m.id)).toEqual(['concurrency_max', 'invocations_sum']);
    expect(data.warnings).toEqual([]);
  });

  it('reads the policy, its alarms with their roles, their transitions and the scaling activities within the window', async () => {
    const { w, clients } = await world();
    const { high, low } = await setUpPolicy(clients);
    publish(w);
    const data = await collect(w);

    expect(data.source).toBe('simulator');
    expect(data.region).toBe('us-east-1');
    expect(data.clockOffsetMs).toBeUndefined();
    expect(data.resource).toEqual({
      kind: 'variant',
      endpointName: 'llama',
      variantName: 'AllTraffic',
      resourceId: RESOURCE_ID,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    });
    expect(data.policies).toEqual([
      { name: 'concurrency', type: 'TargetTrackingScaling', metric: 'SageMakerVariantConcurrentRequestsPerModelHighResolution', targetValue: 5, scaleInCooldownS: 300, alarmNames: [high, low] },
    ]);
    expect(data.alarms).toEqual([
      {
        name: high,
        role: 'scale-out',
        policyName: 'concurrency',
        metricName: 'ConcurrentRequestsPerModel',
        namespace: 'AWS/SageMaker',
        stat: 'Maximum',
        periodS: 10,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: 5,
        comparison: 'GreaterThanThreshold',
      },
      expect.objectContaining({ name: low, role: 'scale-in', periodS: 10, evaluationPeriods: 90, threshold: 4.5, comparison: 'LessThanThreshold' }),
    ]);

    // INSUFFICIENT_DATA → OK at T0 + 20 s lies before the window and its 60 s margin.
    expect(data.alarmTransitions.filter((t) => t.alarmName === high)).toEqual([
      { alarmName: high, tMs: t0 + 40 * S, from: 'OK', to: 'ALARM', summary: 'Alarm updated from OK to ALARM' },
      { alarmName: high, tMs: t0 + 300 * S, from: 'ALARM', to: 'OK', summary: 'Alarm updated from ALARM to OK' },
    ]);
    const times = data.alarmTransitions.map((t) => t.tMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t >= WINDOW.startMs - 60 * S && t <= WINDOW.endMs + 60 * S)).toBe(true);

    const [scaleOut, ...rest] = data.activities;
    expect(scaleOut).toEqual({
      activityId: expect.any(String),
      startMs: t0 + 40 * S,
      endMs: t0 + 280 * S,
      statusCode: 'Successful',
      description: 'Setting desired instance count to 4.',
      cause: `monitor alarm ${high} in state ALARM triggered policy concurrency`,
      statusMessage: 'Successfully set desired instance count to 4. Change successfully fulfilled by sagemaker.',
      toCapacity: 4,
    });
    // Not-scaled activities are read too (the alarm repeats its action while capacity is on its way).
    expect(rest.length).toBeGreaterThan(0);
    expect(rest[0]).toMatchObject({ startMs: t0 + 100 * S, notScaledReasons: ['AlreadyAtDesiredCapacity'] });
    expect(data.activities.map((a) => a.startMs)).toEqual([...data.activities.map((a) => a.startMs)].sort((a, b) => a - b));
  });

  it('follows every page: the same data with pages of 1, in more calls', async () => {
    const { w, clients } = await world();
    await setUpPolicy(clients);
    publish(w);
    const whole = await collect(w, { settleMs: 0 });
    const callsBefore = { metrics: count(w, 'GetMetricData'), activities: count(w, 'DescribeScalingActivities'), history: count(w, 'DescribeAlarmHistory') };
    expect(callsBefore).toEqual({ metrics: 1, activities: 1, history: 2 });
    const paged = await collect(w, { settleMs: 0, pageSize: 1 });
    expect(paged).toEqual(whole);
    // 120 + 19 datapoints, 1 a page.
    expect(count(w, 'GetMetricData') - callsBefore.metrics).toBe(139);
    expect(count(w, 'DescribeScalingActivities') - callsBefore.activities).toBeGreaterThan(1);
    expect(count(w, 'DescribeAlarmHistory') - callsBefore.history).toBeGreaterThan(2);
  });

  it('splits more than 500 queries and too many datapoints into several calls, each datapoint read once', async () => {
    const { w, clients } = await world();
    const published = publish(w);
    await w.clock.advanceTo(T0 + 3620 * S);
    const window = { startMs: T0, endMs: T0 + 3600 * S };
    const base = metricQueriesFor(resourceOf(TARGET)).find((q) => q.id === 'concurrency_max') as MetricQuery;
    const queries = Array.from({ length: 600 }, (_, i) => ({ ...base, id: `q${i}` }));
    const before = count(w, 'GetMetricData');
    const { series, error } = await fetchMetricSeries(clients.cloudwatch, queries, window, { nowMs: w.clock.nowMs() });
    expect(error).toBeUndefined();
    // 500 queries × 360 points: two slices of 2010 s and 1590 s; then 100 × 360 in one call.
    expect(count(w, 'GetMetricData') - before).toBe(3);
    const expected = delivered(published.concurrency, 10, 10, w.clock.nowMs(), window);
    expect(expected).toHaveLength(360);
    expect(series).toHaveLength(600);
    for (const s of series) expect(s.points).toEqual(expected);
  });

  it('turns a denied permission into a warning naming it and still reads the rest', async () => {
    const { w, clients } = await world();
    const { high } = await setUpPolicy(clients);
    publish(w);
    w.deny.add('GraniteServiceVersion20100801.GetMetricData');
    w.deny.add('AnyScaleFrontendService.DescribeScalingActivities');
    w.deny.add('GraniteServiceVersion20100801.DescribeAlarms');
    const data = await collect(w);
    expect(data.warnings).toEqual([
      'cloudwatch:GetMetricData denied: metric series are missing from the report',
      'application-autoscaling:DescribeScalingActivities denied: scaling activities are missing from the report (no reaction figure)',
      'cloudwatch:DescribeAlarms denied: alarm thresholds and periods are missing (roles come from the policies)',
    ]);
    expect(data.metrics).toEqual([]);
    expect(data.activities).toEqual([]);
    expect(data.policies.map((p) => p.name)).toEqual(['concurrency']);
    expect(data.alarms.map((a) => [a.role, a.threshold])).toEqual([
      ['scale-out', undefined],
      ['scale-in', undefined],
    ]);
    expect(data.alarmTransitions.filter((t) => t.alarmName === high).map((t) => t.to)).toEqual(['ALARM', 'OK']);
  });

  it('finds the variant with DescribeEndpoint, and assumes AllTraffic with a warning when denied', async () => {
    const { w } = await world();
    const found = await collect(w, { target: { endpointName: 'llama' } });
    expect(found.resource.resourceId).toBe(RESOURCE_ID);
    expect(found.warnings).toEqual([]);
    w.deny.add('SageMaker.DescribeEndpoint');
    w.deny.add('AnyScaleFrontendService.DescribeScalingPolicies');
    const assumed = await collect(w, { target: { endpointName: 'llama' } });
    expect(assumed.resource.resourceId).toBe(RESOURCE_ID);
    expect(assumed.warnings).toEqual([
      'sagemaker:DescribeEndpoint denied: the variant could not be looked up; assuming AllTraffic',
      'application-autoscaling:DescribeScalingPolicies denied: scaling policies and their alarms are missing from the report',
    ]);
  });

  it('against AWS, moves AWS times to the local clock by the offset seen in Date headers', async () => {
    const { w, clients } = await world();
    const { high } = await setUpPolicy(clients);
    publish(w);
    w.dateSkewMs = 2_500;
    const data = await collect(w, { source: 'aws' });
    // Every sample is taken at one virtual instant; its Date (truncated to the second) bounds the offset to (2000, 3000).
    expect(data.clockOffsetMs).toBe(2_500);
    expect(data.alarmTransitions.find((t) => t.alarmName === high && t.to === 'ALARM')?.tMs).toBe(t0 + 40 * S - 2_500);
    expect(data.activities[0]?.startMs).toBe(t0 + 40 * S - 2_500);
    expect(data.metrics.find((m) => m.id === 'concurrency_max')?.points[0]?.tMs).toBe(WINDOW.startMs - 2_500);
    expect(data.window).toEqual(WINDOW);
  });

  it('writes cloud.json', async () => {
    const { w } = await world();
    const data = await collect(w);
    const dir = await mkdtemp(join(tmpdir(), 'scalelab-cloud-'));
    const path = await writeCloudJson(dir, data);
    expect(path).toBe(join(dir, 'cloud.json'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(data);
  });
});

describe('capacity sampler against the simulated SageMaker API', () => {
  /** Steps the clock one interval at a time, letting each poll finish. */
  async function sample(w: ReadersWorld, samples: CapacitySample[], untilMs: number, intervalMs: number, during?: (tMs: number) => Promise<void>): Promise<void> {
    for (let t = w.clock.nowMs() + intervalMs; t <= untilMs; t += intervalMs) {
      const n = samples.length;
      await w.clock.advanceTo(t);
      await waitFor(() => samples.length > n, `the sample at ${t}`);
      await during?.(t);
    }
  }

  it('polls DescribeEndpoint every 5 s: desired moves at once, current when the instance is in service', async () => {
    const { w, clients } = await world();
    const samples: CapacitySample[] = [];
    const sampler = startCapacitySampler({ clients, resource: resourceOf(TARGET), clock: w.clock, onSample: (s) => samples.push(s) });
    await waitFor(() => samples.length === 1, 'the first sample');
    const updateAt = T0 + 10 * S;
    await sample(w, samples, T0 + 400 * S, 5 * S, async (t) => {
      if (t === updateAt) {
        await clients.sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'llama', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }] }));
      }
    });
    const result = await sampler.stop();
    expect(result).toEqual(samples);
    expect(result).toHaveLength(81);
    expect(result.map((s) => s.tMs)).toEqual(Array.from({ length: 81 }, (_, i) => T0 + i * 5 * S));
    expect(result.slice(0, 3).map((s) => [s.desired, s.current])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(result[3]).toEqual({ tMs: T0 + 15 * S, desired: 2, current: 1 });
    const ready = result.find((s) => s.current === 2);
    // The simulator's scale-out phases: launch 60 s + image 150 s + weights 60 s + load 45 s = 315 s.
    expect(ready?.tMs).toBe(updateAt + 315 * S);
    expect(result.at(-1)).toEqual({ tMs: T0 + 400 * S, desired: 2, current: 2 });
    expect(sampler.warnings).toEqual([]);
  });

  it('polls DescribeInferenceComponent for copy counts', async () => {
    const { w, clients } = await world();
    const samples: CapacitySample[] = [];
    const resource = resourceOf({ endpointName: 'ic-ep', inferenceComponentName: 'ic-1' });
    const sampler = startCapacitySampler({ clients, resource, clock: w.clock, intervalMs: 10 * S, onSample: (s) => samples.push(s) });
    await waitFor(() => samples.length === 1, 'the first sample');
    await clients.sagemaker.send(new UpdateInferenceComponentRuntimeConfigCommand({ InferenceComponentName: 'ic-1', DesiredRuntimeConfig: { CopyCount: 3 } }));
    await sample(w, samples, T0 + 10 * S, 10 * S);
    expect(await sampler.stop()).toEqual([
      { tMs: T0, desired: 1, current: 1 },
      { tMs: T0 + 10 * S, desired: 3, current: 1 },
    ]);
  });

  it('turns failed polls into one counted warning and keeps polling', async () => {
    const { w, clients } = await world();
    const sampler = startCapacitySampler({ clients, resource: resourceOf({ endpointName: 'nope', variantName: 'AllTraffic' }), clock: w.clock });
    const warned = (n: number) => (): boolean => sampler.warnings.some((x) => (n === 1 ? !x.includes('polls)') : x.endsWith(`(${n} polls)`)));
    await waitFor(warned(1), 'one failed poll');
    await w.clock.advanceTo(T0 + 5 * S);
    await waitFor(warned(2), 'two failed polls');
    await w.clock.advanceTo(T0 + 10 * S);
    await waitFor(warned(3), 'three failed polls');
    expect(await sampler.stop()).toEqual([]);
    expect(sampler.warnings).toEqual([
      'sagemaker:DescribeEndpoint failed (ValidationException: Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".): instance-count samples are missing from the report (3 polls)',
    ]);
  });
});
