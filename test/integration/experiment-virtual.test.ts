/**
 * `scalelab experiment --virtual`: two target-tracking variants, each in a fresh simulated world,
 * the same seeded step in load; two runs and a comparison whose detection times follow from the
 * metric resolution and the alarm windows. Runs the command in-process.
 *
 * Bounds (t0 = the step, minute-aligned because the run starts on the minute and the baseline is
 * 120 s; the load is far above both targets from the first second of the step, far below them before):
 * - high resolution: 10 s periods of Maximum, published at each period's end, visible 10 s + jitter
 *   [0, 5) s later; AlarmHigh needs 3 of 3 above 5. The third period [t0+20, t0+30) is visible at
 *   t0+40 + j, and the alarm evaluates every 10 s on the 10 s grid: ALARM at t0+40 (j = 0) or at
 *   t0+50. So detection ∈ [40, 50] s.
 * - standard: 60 s periods of Sum, visible 60 s + jitter [0, 60) s after the minute's end; AlarmHigh
 *   needs 3 of 3 above 40. The third minute [t0+120, t0+180) is visible at t0+240 + j, evaluations
 *   are on the minute: ALARM at t0+240 (j = 0) or t0+300. So detection ∈ [240, 300] s.
 * The reaction (the scale-out activity) starts with the alarm's action at the same instant.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { experimentCommand } from '../../src/cli/commands/experiment.js';
import type { EnrichedSummary, StepUpFigures } from '../../src/correlate/types.js';
import { tempDir } from '../helpers/run-helpers.js';

/** Requests of 100 tokens at 100 ms a token (~10 s each), whatever the batch. */
const TEST_SIM = `
seed: 3
endpoints:
  - name: llm
    variants:
      - name: AllTraffic
        payload: tgi
        initialInstanceCount: 1
        model: { batchSlots: 64, prefillOverheadMs: 10, prefillTokensPerS: 100000, baseStepMs: 100, slowdownAtFullBatch: 0, maxQueue: 200 }
capacity:
  phases: { launchS: 10, imagePullS: 10, modelDownloadS: 5, modelLoadS: 5 }
controlPlane:
  metrics:
    highResolution: { lagS: 10, jitterS: 5 }
    standard: { lagS: 60, jitterS: 60 }
autoscaling:
  - resourceId: endpoint/llm/variant/AllTraffic
    minCapacity: 1
    maxCapacity: 3
    policies:
      - { name: original-concurrency-7, kind: targetTracking, predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, targetValue: 7 }
`;

const PROFILE = `
name: step-test
seed: 11
stages:
  - { kind: constant, name: baseline, rateRps: 0.05, durationS: 120 }
  - { kind: constant, name: step, rateRps: 2, durationS: 330 }
workload: { input: { kind: fixed, tokens: 64 }, output: { kind: fixed, tokens: 100 } }
payload: { format: tgi }
limits: { maxInFlight: 500, requestTimeoutS: 600 }
recording: { intervalMs: 5000, results: false }
gracePeriodS: 60
`;

const EXPERIMENT = `
name: two-metrics
profile: step.yaml
target: { sim: sim.yaml }
resource: { endpoint: llm, variant: AllTraffic }
seed: 5
variants:
  - name: invocations
    minCapacity: 1
    maxCapacity: 2
    targetTracking: { predefinedMetric: SageMakerVariantInvocationsPerInstance, targetValue: 40, scaleOutCooldownS: 300, scaleInCooldownS: 300 }
  - name: concurrency
    minCapacity: 1
    maxCapacity: 2
    targetTracking: { predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, targetValue: 5, scaleOutCooldownS: 300, scaleInCooldownS: 300 }
`;

describe('scalelab experiment --virtual', () => {
  it('runs each variant with the same traffic and compares them; detection follows the metric resolution', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sim.yaml'), TEST_SIM);
    writeFileSync(join(dir, 'step.yaml'), PROFILE);
    writeFileSync(join(dir, 'exp.yaml'), EXPERIMENT);
    const out = join(dir, 'out');
    let code: number | undefined;
    const stdout: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const command = experimentCommand((c) => (code = c));
      await (command.handler as (a: unknown) => Promise<void>)({ file: join(dir, 'exp.yaml'), virtual: true, out, 'start-at': '2026-12-04T20:00:00Z' });
    } finally {
      write.mockRestore();
      err.mockRestore();
    }
    expect(code).toBe(0);

    const summaries = ['invocations', 'concurrency'].map((v) => JSON.parse(readFileSync(join(out, v, 'summary.json'), 'utf8')) as EnrichedSummary);
    const [inv, conc] = summaries.map((s) => s.scaling.steps.find((f): f is StepUpFigures => f.direction === 'up')!);
    // The same seed: the same requests in both runs.
    expect(summaries[0]!.totals.scheduled).toBe(summaries[1]!.totals.scheduled);
    expect(summaries[0]!.run.startMs).toBe(Date.parse('2026-12-04T20:00:00Z'));
    expect(inv!.step.offsetS).toBe(120);

    expect(conc!.detectionS.value).toBeGreaterThanOrEqual(40);
    expect(conc!.detectionS.value).toBeLessThanOrEqual(50);
    expect(inv!.detectionS.value).toBeGreaterThanOrEqual(240);
    expect(inv!.detectionS.value).toBeLessThanOrEqual(300);
    expect(conc!.reactionS.value).toBe(conc!.detectionS.value);
    expect(inv!.reactionS.value).toBe(inv!.detectionS.value);
    // Capacity ready = reaction + provisioning (10 + 10 + 5 + 5 s).
    expect(conc!.capacityReadyS.value).toBe(conc!.reactionS.value! + 30);

    // What was applied is on record: the requests and the policies right after.
    const record = JSON.parse(readFileSync(join(out, 'concurrency', 'experiment.json'), 'utf8')) as {
      applied: { operation: string; input: Record<string, unknown> }[];
      after: { policies: { PolicyName: string }[] };
    };
    expect(record.applied.map((c) => c.operation)).toEqual(['RegisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy']);
    expect(record.applied[0]!.input).toMatchObject({ MinCapacity: 1, MaxCapacity: 2 });
    expect(record.applied[2]!.input).toMatchObject({ PolicyName: 'original-concurrency-7' });
    expect(record.after.policies.map((p) => p.PolicyName)).toEqual(['scalelab-two-metrics-concurrency']);

    const compare = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(compare).toContain('invocations vs concurrency');
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('<html');
    const table = stdout.join('');
    expect(table).toMatch(/^variant\s+detection\s+reaction\s+capacity ready\s+p99 TTFT \(step\)\s+p99 e2e \(step\)$/m);
    expect(table).toMatch(new RegExp(`^concurrency\\s+${conc!.detectionS.value} s`, 'm'));
  });
});
