/** `scalelab simulate`: the pipeline against the serving model in virtual time, no sockets. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/record/summary.js';
import { tempDir } from '../helpers/run-helpers.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

function simulate(dir: string, name: string, profile: string, sim: string): Summary {
  const p = join(dir, `${name}.yaml`);
  const s = join(dir, `${name}-sim.yaml`);
  writeFileSync(p, profile);
  writeFileSync(s, sim);
  const out = join(dir, name);
  const r = spawnSync(process.execPath, [CLI, 'simulate', p, '--sim', s, '--out', out, '--start-at', '2026-12-04T20:00:00Z'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
}

describe('scalelab simulate', () => {
  it('times requests exactly as the serving model computes them, with no schedule lag', () => {
    const dir = tempDir();
    const s = simulate(
      dir,
      'exact',
      'name: exact\nstages: [{ kind: constant, rateRps: 2, durationS: 600 }]\nworkload: { input: { kind: fixed, tokens: 256 }, output: { kind: fixed, tokens: 10 } }\n',
      'model: { copies: 1, batchSlots: 8, prefillTokensPerS: 4000, prefillOverheadMs: 40, baseStepMs: 28, slowdownAtFullBatch: 0.8 }\n',
    );
    expect(s.totals).toMatchObject({ sent: 1200, ok: 1200, errors: 0, dropped: 0 });
    // Alone on the copy (each request ends before the next arrives): TTFT = 40 + 256 / 4 = 104 ms,
    // then 9 decode steps of 28 ms.
    expect(s.metrics.ttft!.p50Ms).toBeCloseTo(104, 0);
    expect(s.metrics.ttft!.maxMs).toBeCloseTo(104, 0);
    expect(s.metrics.e2e!.p99Ms).toBeCloseTo(104 + 9 * 28, 0);
    expect(s.metrics.itl!.p50Ms).toBeCloseTo(28, 1);
    expect(s.metrics.lag!.maxMs).toBe(0);
    expect(s.run.startMs).toBe(Date.parse('2026-12-04T20:00:00Z'));
    expect(s.run.durationS).toBeGreaterThanOrEqual(600);
  });

  it('is deterministic: the same seed gives the same figures', () => {
    const dir = tempDir();
    const profile = 'name: det\nseed: 5\narrivals: poisson\nstages: [{ kind: constant, rateRps: 20, durationS: 120 }]\nworkload: { input: { kind: lognormal, median: 300, sigma: 0.5 }, output: { kind: uniform, min: 10, max: 80 } }\n';
    const sim = 'model: { copies: 1, batchSlots: 16 }\n';
    const a = simulate(dir, 'a', profile, sim);
    const b = simulate(dir, 'b', profile, sim);
    expect(a.totals).toEqual(b.totals);
    expect(a.metrics).toEqual(b.metrics);
    // Queueing shows: 20 req/s of ~45 tokens is above one 16-slot copy's output.
    expect(a.metrics.ttft!.p99Ms).toBeGreaterThan(a.metrics.ttft!.p50Ms);
  });
});
