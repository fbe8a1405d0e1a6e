/**
 * An experiment that fails mid-way puts the endpoint's scaling back as it found it: against the
 * simulator served in process in real time (control plane ×20), reached through its URL like a
 * real endpoint (`--endpoint-url`), the first variant runs, the second one's run throws (an injected
 * hook), and afterwards DescribeScalableTargets / DescribeScalingPolicies / DescribeAlarms show the
 * original min/max, the original policies (a target-tracking and a step-scaling one, its alarm
 * pointing at the re-created policy) and no alarm left by the experiment.
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { experimentCommand } from '../../src/cli/commands/experiment.js';
import { parseSimConfig } from '../../src/sim/config.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { tempDir } from '../helpers/run-helpers.js';

const SIM = `
seed: 3
endpoints:
  - name: llm
    variants:
      - name: AllTraffic
        payload: tgi
        model: { batchSlots: 16, prefillOverheadMs: 5, prefillTokensPerS: 100000, baseStepMs: 5, slowdownAtFullBatch: 0 }
autoscaling:
  - resourceId: endpoint/llm/variant/AllTraffic
    minCapacity: 1
    maxCapacity: 3
    policies:
      - { name: original-concurrency-7, kind: targetTracking, predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, targetValue: 7 }
      - name: original-step
        kind: stepScaling
        steps: [{ lower: 0, adjustment: 1 }]
        alarm: { name: original-step-alarm, metricName: Invocations, statistic: Sum, periodS: 60, threshold: 1000 }
`;

const PROFILE = `
name: tiny
seed: 1
stages: [{ kind: constant, rateRps: 4, durationS: 1.5 }]
workload: { input: { kind: fixed, tokens: 16 }, output: { kind: fixed, tokens: 8 } }
payload: { format: tgi }
limits: { maxInFlight: 50, requestTimeoutS: 10 }
gracePeriodS: 5
`;

const EXPERIMENT = `
name: failing
profile: tiny.yaml
target: sagemaker:llm
resource: { endpoint: llm, variant: AllTraffic }
settleS: 0.2
variants:
  - name: a
    minCapacity: 1
    maxCapacity: 2
    targetTracking: { predefinedMetric: SageMakerVariantInvocationsPerInstance, targetValue: 40 }
  - name: b
    minCapacity: 1
    maxCapacity: 4
    stepScaling:
      alarm: { metric: ConcurrentRequestsPerModel, stat: Maximum, periodS: 10, evaluationPeriods: 3, threshold: 5 }
      steps: [{ lower: 0, adjustment: 1 }]
`;

// As the CLI does (src/cli/main.ts): the SDK's Node-version notice is no part of the test's output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('scalelab experiment restores the scaling it found', () => {
  it('after a failure in the second variant: original min/max, policies and alarms, and says so', async () => {
    server = await startSimServer({ config: parseSimConfig(parseYaml(SIM)), timeScale: 20 });
    const dir = tempDir();
    writeFileSync(join(dir, 'tiny.yaml'), PROFILE);
    writeFileSync(join(dir, 'exp.yaml'), EXPERIMENT);
    const common = { endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const aas = new ApplicationAutoScalingClient(common);
    const cw = new CloudWatchClient(common);
    const ids = { ServiceNamespace: 'sagemaker' as const, ResourceId: 'endpoint/llm/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    const before = (await aas.send(new DescribeScalingPoliciesCommand(ids))).ScalingPolicies ?? [];
    expect(before.map((p) => p.PolicyName).sort()).toEqual(['original-concurrency-7', 'original-step']);

    let code: number | undefined;
    const stderr: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    let policiesDuringB: string[] = [];
    try {
      const command = experimentCommand((c) => (code = c), {
        beforeRun: async (variant) => {
          if (variant.name !== 'b') return;
          policiesDuringB = ((await aas.send(new DescribeScalingPoliciesCommand(ids))).ScalingPolicies ?? []).map((p) => p.PolicyName ?? '');
          throw new Error('injected failure before the run of variant b');
        },
      });
      await (command.handler as (a: unknown) => Promise<void>)({ file: join(dir, 'exp.yaml'), 'endpoint-url': server.url, out: join(dir, 'out') });
    } finally {
      out.mockRestore();
      err.mockRestore();
      aas.destroy();
    }
    expect(code).toBe(1);
    // Variant b was in place when the failure hit, alone.
    expect(policiesDuringB).toEqual(['scalelab-failing-b']);
    expect(existsSync(join(dir, 'out', 'a', 'summary.json'))).toBe(true);

    const aas2 = new ApplicationAutoScalingClient(common);
    try {
      const target = (await aas2.send(new DescribeScalableTargetsCommand({ ...ids, ResourceIds: [ids.ResourceId] }))).ScalableTargets?.[0];
      expect(target).toMatchObject({ MinCapacity: 1, MaxCapacity: 3 });
      const after = (await aas2.send(new DescribeScalingPoliciesCommand(ids))).ScalingPolicies ?? [];
      expect(after.map((p) => p.PolicyName).sort()).toEqual(['original-concurrency-7', 'original-step']);
      const tt = after.find((p) => p.PolicyName === 'original-concurrency-7');
      expect(tt?.TargetTrackingScalingPolicyConfiguration).toMatchObject({
        TargetValue: 7,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
      });
      const step = after.find((p) => p.PolicyName === 'original-step');
      expect(step?.StepScalingPolicyConfiguration?.StepAdjustments).toEqual([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }]);
      const alarms = (await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
      expect(alarms.find((a) => a.AlarmName === 'original-step-alarm')?.AlarmActions).toEqual([step?.PolicyARN]);
      expect(alarms.some((a) => a.AlarmName?.startsWith('scalelab-'))).toBe(false);
    } finally {
      aas2.destroy();
      cw.destroy();
    }
    const said = stderr.join('');
    expect(said).toContain('restored endpoint/llm/variant/AllTraffic to what it was before the experiment:');
    expect(said).toContain('scalable target endpoint/llm/variant/AllTraffic: min 1, max 3');
    expect(said).toContain('policy original-concurrency-7 (TargetTrackingScaling: SageMakerVariantConcurrentRequestsPerModelHighResolution target 7)');
    expect(said).toContain('alarm original-step-alarm → its policy');
    expect(said).toContain('injected failure before the run of variant b');
  }, 60_000);
});
