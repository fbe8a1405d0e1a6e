/** The simulated world: every ready config builds, the publisher's minute metrics, and config errors naming the field. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { UserError } from '../../src/lib/errors.js';
import { loadSimConfig, parseSimConfig } from '../../src/sim/config.js';
import type { ModelListener } from '../../src/sim/model.js';
import { createSimWorld } from '../../src/sim/world.js';

const SIMS = join(import.meta.dirname, '../../sims');
const START = Date.parse('2026-12-04T20:00:00Z');
const noop: ModelListener = { onToken: () => undefined, onEnd: () => undefined };

describe('sims/*.yaml', () => {
  it.each(readdirSync(SIMS).filter((f) => f.endsWith('.yaml')))('%s builds a world with its scalable targets registered', async (file) => {
    const config = await loadSimConfig(join(SIMS, file));
    const world = createSimWorld(config, new VirtualClock(START));
    try {
      for (const t of config.autoscaling) {
        const [view] = world.controlPlane.autoscaling.describeScalableTargets({ ServiceNamespace: 'sagemaker', ResourceIds: [t.resourceId] });
        expect(view).toMatchObject({ MinCapacity: t.minCapacity, MaxCapacity: t.maxCapacity });
        expect(world.controlPlane.autoscaling.describeScalingPolicies({ ServiceNamespace: 'sagemaker', ResourceId: t.resourceId })).toHaveLength(t.policies.length);
      }
    } finally {
      world.close();
    }
  });

  it('the scale-to-zero setup pairs target tracking with a NoCapacityInvocationFailures step alarm', async () => {
    const world = createSimWorld(await loadSimConfig(join(SIMS, 'scale-to-zero.yaml')), new VirtualClock(START));
    const names = world.controlPlane.alarms.describeAlarms().map((a) => `${a.MetricName}:${a.ComparisonOperator}:${a.Threshold}`);
    world.close();
    expect(names.sort()).toEqual(['ConcurrentRequestsPerCopy:GreaterThanThreshold:5', 'ConcurrentRequestsPerCopy:LessThanThreshold:4.5', 'NoCapacityInvocationFailures:GreaterThanOrEqualToThreshold:1']);
  });
});

describe('config errors', () => {
  it('names an unknown instance type and where it is', () => {
    const config = parseSimConfig({ endpoints: [{ name: 'e', variants: [{ name: 'v', instanceType: 'ml.q9.huge' }] }] });
    expect(() => createSimWorld(config, new VirtualClock(0))).toThrow(/endpoints\.0\.variants\.0\.instanceType: unknown instance type 'ml\.q9\.huge'/);
  });

  it('names an autoscaling entry the control plane refuses', () => {
    const config = parseSimConfig({ autoscaling: [{ resourceId: 'endpoint/missing/variant/AllTraffic', minCapacity: 1, maxCapacity: 2 }] });
    let error: unknown;
    try {
      createSimWorld(config, new VirtualClock(0));
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^autoscaling\.0: The resource endpoint\/missing\/variant\/AllTraffic/);
  });
});

describe('metrics publisher', () => {
  it('publishes each minute Invocations, InvocationsPerInstance (1 / instances per request) and ModelLatency percentiles in microseconds', async () => {
    const clock = new VirtualClock(START);
    const config = parseSimConfig({
      model: { copies: 1, batchSlots: 8, prefillOverheadMs: 10, prefillTokensPerS: 1e9, baseStepMs: 100, slowdownAtFullBatch: 0 },
      endpoints: [{ name: 'e', variants: [{ name: 'v', initialInstanceCount: 2, model: { batchSlots: 8, prefillOverheadMs: 10, prefillTokensPerS: 1e9, baseStepMs: 100, slowdownAtFullBatch: 0 } }] }],
      controlPlane: { metrics: { standard: { lagS: 60, jitterS: 0 } } },
    });
    const world = createSimWorld(config, clock);
    // 10 requests of 1..10 tokens: latency 10 ms + (n − 1) × 100 ms.
    for (let n = 1; n <= 10; n++) world.backend.submit({ id: `r${n}`, inputTokens: 0, maxOutputTokens: n }, noop);
    await clock.advanceTo(START + 120_000);
    const dimensions = [{ Name: 'EndpointName', Value: 'e' }, { Name: 'VariantName', Value: 'v' }];
    const q = (metricName: string, stat: string) =>
      world.controlPlane.store.query({ metric: { namespace: 'AWS/SageMaker', metricName, dimensions }, periodS: 60, stat, startMs: START, endMs: START + 60_000 })[0]?.value;
    expect(q('Invocations', 'Sum')).toBe(10);
    expect(q('InvocationsPerInstance', 'Sum')).toBeCloseTo(5, 9);
    expect(q('ModelLatency', 'Maximum')).toBe(910_000);
    expect(q('ModelLatency', 'p50')).toBeCloseTo(410_000, -3);
    expect(q('Invocation4XXErrors', 'Sum')).toBe(0);
    expect(q('GPUUtilization', 'Average')).toBeUndefined(); // other namespace
    world.close();
  });
});

describe('sims/llama3-8b-g5-invocations.yaml timeline', () => {
  it('a step to 60 requests a minute at t0 alarms at t0 + 240 s (3 × 60 s + 60 s lag) and serves on 2 instances at t0 + 555 s', async () => {
    const config = await loadSimConfig(join(SIMS, 'llama3-8b-g5-invocations.yaml'));
    const exact = parseSimConfig({ ...config, controlPlane: { ...config.controlPlane, metrics: { ...config.controlPlane.metrics, standard: { lagS: 60, jitterS: 0 } } } });
    const clock = new VirtualClock(START);
    const world = createSimWorld(exact, clock);
    const t0 = START + 120_000;
    const target = world.endpoints.targets()[0]!;
    for (let s = 0; s < 240; s++) {
      await clock.advanceTo(t0 + s * 1000);
      world.backend.submit({ id: `r${s}`, inputTokens: 10, maxOutputTokens: 1 }, noop);
    }
    await clock.advanceTo(t0 + 239_999);
    expect(target.capacity.desiredCapacity()).toBe(1);
    await clock.advanceTo(t0 + 240_000);
    expect(target.capacity.desiredCapacity()).toBe(2);
    await clock.advanceTo(t0 + 554_999);
    expect(target.capacity.currentCapacity()).toBe(1);
    await clock.advanceTo(t0 + 555_000);
    expect(target.capacity.currentCapacity()).toBe(2);
    world.close();
  });
});
