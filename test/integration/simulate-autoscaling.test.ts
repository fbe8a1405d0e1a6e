/**
 * `scalelab simulate` with autoscaling: a step in load against sims/llama3-8b-g5-concurrency.yaml
 * scales the variant out in virtual time, and the run directory says so (run.json extra, cloud.json).
 * Runs the command in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { simulateCommand } from '../../src/cli/commands/simulate.js';
import type { CloudData } from '../../src/cloud/types.js';
import { tempDir } from '../helpers/run-helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const START = Date.parse('2026-12-04T20:00:00Z');

describe('scalelab simulate with autoscaling', () => {
  it('scales out after a step in load: the alarm, the activity and the capacity land in cloud.json', async () => {
    const dir = tempDir();
    const profile = join(dir, 'step.yaml');
    writeFileSync(
      profile,
      [
        'name: step-autoscaling',
        'seed: 3',
        'stages:',
        '  - { kind: constant, name: baseline, rateRps: 0.2, durationS: 300 }',
        '  - { kind: constant, name: step, rateRps: 2, durationS: 900 }',
        '  - { kind: constant, name: after, rateRps: 0.2, durationS: 300 }',
        'workload: { input: { kind: fixed, tokens: 256 }, output: { kind: fixed, tokens: 200 } }',
        'limits: { maxInFlight: 500, requestTimeoutS: 600 }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'run');
    let code: number | undefined;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const command = simulateCommand((c) => (code = c));
      await (command.handler as (a: unknown) => Promise<void>)({ profile, sim: join(ROOT, 'sims/llama3-8b-g5-concurrency.yaml'), out, 'start-at': '2026-12-04T20:00:00Z' });
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);

    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { extra: { virtualTime: boolean; scalableResources: unknown[] } };
    expect(run.extra.virtualTime).toBe(true);
    expect(run.extra.scalableResources).toEqual([{ resourceId: 'endpoint/llama3-8b/variant/AllTraffic', scalableDimension: 'sagemaker:variant:DesiredInstanceCount' }]);

    const cloud = JSON.parse(readFileSync(join(out, 'cloud.json'), 'utf8')) as CloudData;
    expect(cloud).toMatchObject({ source: 'simulator', resource: { resourceId: 'endpoint/llama3-8b/variant/AllTraffic', kind: 'variant' } });
    const t0 = START + 300_000;
    const high = cloud.alarms.find((a) => a.role === 'scale-out');
    expect(high).toMatchObject({ metricName: 'ConcurrentRequestsPerModel', periodS: 10, evaluationPeriods: 3, threshold: 5 });
    const alarmed = cloud.alarmTransitions.find((t) => t.alarmName === high?.name && t.to === 'ALARM' && t.tMs >= t0);
    // 3 × 10 s datapoints + 10 s lag + up to 5 s jitter, on the 10 s evaluation cadence.
    expect(alarmed!.tMs - t0).toBeGreaterThanOrEqual(40_000);
    expect(alarmed!.tMs - t0).toBeLessThanOrEqual(50_000);
    const scaleOut = cloud.activities.find((a) => a.notScaledReasons === undefined && a.startMs >= t0);
    expect(scaleOut).toMatchObject({ description: 'Setting desired instance count to 2.', statusCode: 'Successful', toCapacity: 2, startMs: alarmed!.tMs });
    expect(scaleOut!.cause).toContain(high!.name);
    expect(scaleOut!.endMs! - scaleOut!.startMs).toBe(315_000);
    expect(cloud.capacity.find((c) => c.current === 2)?.tMs).toBe(scaleOut!.endMs);
    expect(Math.max(...cloud.metrics.find((m) => m.id === 'concurrency_max')!.points.map((p) => p.value))).toBeGreaterThan(5);
  });
});
