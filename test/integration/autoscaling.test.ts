/**
 * The simulated endpoint under autoscaling, seen through the real AWS SDK clients (CloudWatch,
 * Application Auto Scaling, SageMaker) against the one simulator server, in virtual time: load is
 * submitted straight to the world's models, the virtual clock is advanced, and the SDK calls read
 * what AWS would show. Every instant is exact (metric delivery jitter 0).
 */
import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, type ScalingActivity } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeEndpointCommand,
  DescribeInferenceComponentCommand,
  SageMakerClient,
  SageMakerServiceException,
  UpdateInferenceComponentRuntimeConfigCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { parseSimConfig, type SimConfigInput } from '../../src/sim/config.js';
import type { ModelHandle, ModelListener, RejectReason } from '../../src/sim/model.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';

const START = Date.parse('2026-12-04T20:00:00Z');
const S = 1000;
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
/** Requests of n tokens last 10 ms + (n − 1) s, whatever the batch. */
const MODEL = { batchSlots: 32, prefillOverheadMs: 10, prefillTokensPerS: 1e9, baseStepMs: 1000, slowdownAtFullBatch: 0 };
/** No delivery jitter: every instant is exact. */
const EXACT = { metrics: { highResolution: { lagS: 10, jitterS: 0 }, standard: { lagS: 60, jitterS: 0 } } };

interface Harness {
  clock: VirtualClock;
  server: SimServer;
  sagemaker: SageMakerClient;
  cloudwatch: CloudWatchClient;
  aas: ApplicationAutoScalingClient;
  at(offsetS: number): Promise<void>;
  submit(n: number, tokens: number, names?: { component?: string }): ModelHandle[];
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    h.sagemaker.destroy();
    h.cloudwatch.destroy();
    h.aas.destroy();
    await h.server.close();
  }
});

async function harness(input: SimConfigInput): Promise<Harness> {
  const clock = new VirtualClock(START);
  const server = await startSimServer({ config: parseSimConfig(input), clock });
  const common = { endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 };
  const h: Harness = {
    clock,
    server,
    sagemaker: new SageMakerClient(common),
    cloudwatch: new CloudWatchClient(common),
    aas: new ApplicationAutoScalingClient(common),
    at: (offsetS) => clock.advanceTo(START + offsetS * S),
    submit: (n, tokens, names = {}) =>
      Array.from({ length: n }, (_, i) => server.world.backend.submit({ id: `r${i}`, inputTokens: 0, maxOutputTokens: tokens, ...names }, quiet())),
  };
  open.push(h);
  return h;
}

function quiet(): ModelListener & { rejected: RejectReason[]; ends: number[] } {
  const l = { rejected: [] as RejectReason[], ends: [] as number[], onToken: () => undefined, onEnd: (t: number) => void l.ends.push(t), onRejected: (_t: number, r: RejectReason) => void l.rejected.push(r) };
  return l;
}

const variantConfig = (maxCapacity: number): SimConfigInput => ({
  endpoints: [{ name: 'llm', variants: [{ name: 'AllTraffic', model: MODEL }] }],
  controlPlane: EXACT,
  autoscaling: [
    {
      resourceId: 'endpoint/llm/variant/AllTraffic',
      minCapacity: 1,
      maxCapacity,
      policies: [
        {
          name: 'concurrency',
          kind: 'targetTracking',
          predefinedMetric: 'SageMakerVariantConcurrentRequestsPerModelHighResolution',
          targetValue: 5,
          scaleOutCooldownS: 300,
          scaleInCooldownS: 300,
        },
      ],
    },
  ],
});

async function activities(h: Harness, resourceId: string, notScaled = false): Promise<ScalingActivity[]> {
  const out = await h.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId: resourceId, IncludeNotScaledActivities: notScaled }));
  return [...(out.ScalingActivities ?? [])].reverse(); // oldest first
}

async function variantCounts(h: Harness): Promise<{ desired?: number; current?: number; status?: string }> {
  const out = await h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'llm' }));
  const v = out.ProductionVariants?.[0];
  return { desired: v?.DesiredInstanceCount, current: v?.CurrentInstanceCount, status: out.EndpointStatus };
}

const ms = (d: Date | undefined): number | undefined => d?.getTime();

describe('a step in load on an endpoint variant (ConcurrentRequestsPerModel, target 5)', () => {
  it('alarms after 3 × 10 s + lag, scales out at once, serves after the provisioning phases; scales in after the AlarmLow window, the cooldown and the drain', async () => {
    const h = await harness(variantConfig(3));
    const t0 = 120; // seconds after START (a 10 s boundary)
    await h.at(t0);
    const holds = h.submit(15, 100_000); // 15 concurrent requests from t0 on

    // The high alarm: datapoints [t0, t0+10), [t0+10, t0+20), [t0+20, t0+30) above 5, the last visible at t0+30+10.
    await h.at(t0 + 39.999);
    const alarms = (await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-endpoint/llm/variant/AllTraffic-AlarmHigh-' }))).MetricAlarms ?? [];
    expect(alarms).toHaveLength(1);
    const high = alarms[0]!;
    expect(high).toMatchObject({ StateValue: 'OK', Period: 10, EvaluationPeriods: 3, Threshold: 5, MetricName: 'ConcurrentRequestsPerModel', Statistic: 'Maximum' });
    expect(await variantCounts(h)).toEqual({ desired: 1, current: 1, status: 'InService' });
    await h.at(t0 + 40);
    const highNow = (await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [high.AlarmName!] }))).MetricAlarms?.[0];
    expect(highNow?.StateValue).toBe('ALARM');
    expect(ms(highNow?.StateTransitionedTimestamp)).toBe(START + (t0 + 40) * S);

    // The activity: ceil(1 × 15 / 5) = 3, named after the alarm; desired at once, current not yet.
    const [out] = await activities(h, 'endpoint/llm/variant/AllTraffic');
    expect(out).toMatchObject({ Description: 'Setting desired instance count to 3.', StatusCode: 'InProgress', Cause: `monitor alarm ${high.AlarmName} in state ALARM triggered policy concurrency` });
    expect(ms(out?.StartTime)).toBe(START + (t0 + 40) * S);
    expect(await variantCounts(h)).toEqual({ desired: 3, current: 1, status: 'Updating' });

    // Capacity ready after launch 60 + image pull 150 + download 60 + load 45 = 315 s.
    await h.at(t0 + 40 + 314.999);
    expect((await variantCounts(h)).current).toBe(1);
    await h.at(t0 + 40 + 315);
    expect(await variantCounts(h)).toEqual({ desired: 3, current: 3, status: 'InService' });
    const [done] = await activities(h, 'endpoint/llm/variant/AllTraffic');
    expect(done).toMatchObject({ StatusCode: 'Successful', StatusMessage: 'Successfully set desired instance count to 3. Change successfully fulfilled by sagemaker.' });
    expect(ms(done?.EndTime)).toBe(START + (t0 + 355) * S);

    // GetMetricData returns what was published: the per-model maxima are the model's concurrency.
    const data = await h.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(START + (t0 - 30) * S),
        EndTime: new Date(START + (t0 + 30) * S),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'c',
            MetricStat: {
              Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ConcurrentRequestsPerModel', Dimensions: [{ Name: 'EndpointName', Value: 'llm' }, { Name: 'VariantName', Value: 'AllTraffic' }] },
              Period: 10,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values).toEqual([0, 0, 0, 15, 15, 15]);
    expect(data.MetricDataResults?.[0]?.Timestamps?.map((d) => (d.getTime() - START) / S)).toEqual([90, 100, 110, 120, 130, 140]);

    // Load drops at t1 (mid-period): 2 holds stay on copy 0; two 1000 s requests go to the idle copies 1 and 2.
    const t1 = 725;
    await h.at(t1);
    for (const hold of holds.slice(2)) hold.cancel();
    h.submit(2, 1001); // end at t1 + 1000.01 s
    // AlarmLow: 90 × 10 s below 4.5 from the period [t1+5, t1+15) on, the 90th visible at t1+5+900+10.
    await h.at(t1 + 914.999);
    expect((await activities(h, 'endpoint/llm/variant/AllTraffic')).length).toBe(1);
    await h.at(t1 + 915);
    const scaleIn = (await activities(h, 'endpoint/llm/variant/AllTraffic'))[1];
    expect(scaleIn).toMatchObject({ Description: 'Setting desired instance count to 2.', StatusCode: 'InProgress' });
    expect(scaleIn?.Cause).toMatch(/^monitor alarm TargetTracking-endpoint\/llm\/variant\/AllTraffic-AlarmLow-[0-9a-f-]+ in state ALARM triggered policy concurrency$/);
    // ceil(3 × 2 / 5) = 2: the newest instance drains its request; it still counts until it is gone.
    expect(await variantCounts(h)).toEqual({ desired: 2, current: 3, status: 'Updating' });
    await h.at(t1 + 1000.01);
    expect(await variantCounts(h)).toEqual({ desired: 2, current: 2, status: 'InService' });
    expect(ms((await activities(h, 'endpoint/llm/variant/AllTraffic'))[1]?.EndTime)).toBe(START + (t1 + 1000.01) * S);

    // The next scale-in waits for the 300 s cooldown after that one ended; AlarmLow repeats every 60 s
    // from t1+915, so the first repeat after t1+1300.01 is t1+1335: ceil(2 × 2 / 5) = 1.
    await h.at(t1 + 1334.999);
    expect((await activities(h, 'endpoint/llm/variant/AllTraffic')).length).toBe(2);
    await h.at(t1 + 1335);
    const last = (await activities(h, 'endpoint/llm/variant/AllTraffic'))[2];
    expect(last).toMatchObject({ Description: 'Setting desired instance count to 1.', StatusCode: 'Successful' });
    expect(ms(last?.StartTime)).toBe(START + (t1 + 1335) * S);
    expect(await variantCounts(h)).toEqual({ desired: 1, current: 1, status: 'InService' });
  });
});

describe('inference components', () => {
  it('places a new copy on an instance with room (model load only) and launches an instance when none has room', async () => {
    const h = await harness({
      endpoints: [{ name: 'ic-ep', instanceType: 'ml.g5.12xlarge', managedInstanceScaling: { minInstanceCount: 1, maxInstanceCount: 2 }, inferenceComponents: [{ name: 'llama', copyCount: 3, model: MODEL }] }],
      controlPlane: EXACT,
    });
    const describe = async () => {
      const ic = await h.sagemaker.send(new DescribeInferenceComponentCommand({ InferenceComponentName: 'llama' }));
      const ep = await h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'ic-ep' }));
      const v = ep.ProductionVariants?.[0];
      return { copies: [ic.RuntimeConfig?.DesiredCopyCount, ic.RuntimeConfig?.CurrentCopyCount], instances: [v?.DesiredInstanceCount, v?.CurrentInstanceCount], status: ic.InferenceComponentStatus };
    };
    expect(await describe()).toEqual({ copies: [3, 3], instances: [1, 1], status: 'InService' });
    await h.sagemaker.send(new UpdateInferenceComponentRuntimeConfigCommand({ InferenceComponentName: 'llama', DesiredRuntimeConfig: { CopyCount: 5 } }));
    expect(await describe()).toEqual({ copies: [5, 3], instances: [2, 1], status: 'Updating' });
    await h.at(45);
    expect(await describe()).toEqual({ copies: [5, 4], instances: [2, 1], status: 'Updating' }); // the 4th GPU: load only
    await h.at(270);
    expect(await describe()).toEqual({ copies: [5, 4], instances: [2, 2], status: 'Updating' }); // instance up: 60 + 150 + 60
    await h.at(315);
    expect(await describe()).toEqual({ copies: [5, 5], instances: [2, 2], status: 'InService' });
  });

  it('scales from zero: requests fail with no capacity, NoCapacityInvocationFailures alarms the step policy, a copy serves after the provisioning', async () => {
    const h = await harness({
      endpoints: [{ name: 'stz', managedInstanceScaling: { minInstanceCount: 0, maxInstanceCount: 2 }, inferenceComponents: [{ name: 'llama', copyCount: 0, model: MODEL }] }],
      controlPlane: EXACT,
      autoscaling: [
        {
          resourceId: 'inference-component/llama',
          minCapacity: 0,
          maxCapacity: 2,
          policies: [
            {
              name: 'from-zero',
              kind: 'stepScaling',
              adjustmentType: 'ChangeInCapacity',
              metricAggregationType: 'Maximum',
              cooldownS: 60,
              steps: [{ lower: 0, adjustment: 1 }],
              alarm: { name: 'no-capacity', metricName: 'NoCapacityInvocationFailures', statistic: 'Maximum', periodS: 60, evaluationPeriods: 1, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' },
            },
          ],
        },
      ],
    });
    const ep = await h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'stz' }));
    expect(ep.ProductionVariants?.[0]).toMatchObject({ CurrentInstanceCount: 0, DesiredInstanceCount: 0, ManagedInstanceScaling: { MinInstanceCount: 0 } });
    await h.at(130);
    const l = quiet();
    h.server.world.backend.submit({ id: 'first', inputTokens: 0, maxOutputTokens: 1 }, l);
    expect(l.rejected).toEqual(['no_capacity']);
    // The minute [120, 180) holds 1 failure, visible at 180 + 60; the alarm evaluates each minute.
    await h.at(239.999);
    expect(await activities(h, 'inference-component/llama')).toEqual([]);
    await h.at(240);
    const [act] = await activities(h, 'inference-component/llama');
    expect(act).toMatchObject({ Description: 'Setting desired copy count to 1.', Cause: 'monitor alarm no-capacity in state ALARM triggered policy from-zero' });
    await h.at(240 + 314.999);
    expect((await h.sagemaker.send(new DescribeInferenceComponentCommand({ InferenceComponentName: 'llama' }))).RuntimeConfig).toEqual({ DesiredCopyCount: 1, CurrentCopyCount: 0 });
    await h.at(240 + 315);
    expect((await h.sagemaker.send(new DescribeInferenceComponentCommand({ InferenceComponentName: 'llama' }))).RuntimeConfig).toEqual({ DesiredCopyCount: 1, CurrentCopyCount: 1 });
    const served = quiet();
    h.server.world.backend.submit({ id: 'later', inputTokens: 0, maxOutputTokens: 1 }, served);
    await h.at(556);
    expect(served.ends).toEqual([START + 555_010]);
    const failures = await h.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(START),
        EndTime: new Date(START + 300 * S),
        MetricDataQueries: [{ Id: 'f', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'NoCapacityInvocationFailures', Dimensions: [{ Name: 'InferenceComponentName', Value: 'llama' }] }, Period: 60, Stat: 'Sum' } }],
      }),
    );
    expect(failures.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe('SageMaker control-plane errors', () => {
  it('answers an unknown endpoint or component with AWS ValidationException wording', async () => {
    const h = await harness(variantConfig(2));
    const e = await h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'Nope' })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SageMakerServiceException);
    expect((e as SageMakerServiceException).name).toBe('ValidationException');
    expect((e as Error).message).toBe('Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".');
    const c = await h.sagemaker.send(new DescribeInferenceComponentCommand({ InferenceComponentName: 'x' })).catch((x: unknown) => x);
    expect((c as Error).message).toBe('Could not find inference component "arn:aws:sagemaker:us-east-1:123456789012:inference-component/x".');
  });
});

describe('--time-scale', () => {
  it('runs the control plane and provisioning 1000× faster on the real clock, the model in real time', async () => {
    const server = await startSimServer({ config: parseSimConfig(variantConfig(2)), timeScale: 1000 });
    const common = { endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const sagemaker = new SageMakerClient(common);
    const aas = new ApplicationAutoScalingClient(common);
    try {
      const wallStart = performance.now();
      const holds = Array.from({ length: 15 }, (_, i) => server.world.backend.submit({ id: `h${i}`, inputTokens: 0, maxOutputTokens: 100_000 }, quiet()));
      let current: number | undefined;
      while (current !== 2 && performance.now() - wallStart < 10_000) {
        await new Promise((r) => setTimeout(r, 20));
        current = (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'llm' }))).ProductionVariants?.[0]?.CurrentInstanceCount;
      }
      const wallS = (performance.now() - wallStart) / 1000;
      expect(current).toBe(2);
      // Model time: alarm after 40–50 s, then 315 s of provisioning; on the wall about 0.36 s.
      expect(wallS).toBeGreaterThan(0.3);
      expect(wallS).toBeLessThan(5);
      const [act] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker' }))).ScalingActivities ?? [];
      // 315 s of model time, plus the wall's timer lateness × 1000 (a few ms of wall are seconds here).
      const provisioningMs = act!.EndTime!.getTime() - act!.StartTime!.getTime();
      expect(provisioningMs).toBeGreaterThanOrEqual(315_000);
      expect(provisioningMs).toBeLessThan(400_000);
      for (const h of holds) h.cancel();
    } finally {
      sagemaker.destroy();
      aas.destroy();
      await server.close();
    }
  });
});
