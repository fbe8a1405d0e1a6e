/** The built CLI (dist/, built by `npm test`) as a user runs it: exit codes, messages, run directories. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSimConfig, parseSimConfig } from '../../src/sim/config.js';
import type { CloudData } from '../../src/cloud/types.js';
import { startSimServer } from '../../src/sim/server.js';
import { tempDir } from '../helpers/run-helpers.js';

const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

function cli(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

const noStack = (text: string): void => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

function writeProfile(dir: string, body: string): string {
  const path = join(dir, 'p.yaml');
  writeFileSync(path, body);
  return path;
}

describe('scalelab CLI', () => {
  it('validate prints the expanded plan of a ready profile', () => {
    const r = cli(['validate', 'profiles/step-load.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/240 requests planned/);
    expect(r.stdout).toMatch(/baseline/);
  });

  it('a broken profile exits 2 naming the file and the field, without a stack trace', () => {
    const dir = tempDir();
    const path = writeProfile(dir, 'name: x\nstages:\n  - { kind: constant, rateRps: -1, durationS: 5 }\n');
    for (const cmd of ['validate', 'run']) {
      const r = cli([cmd, path]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(path);
      expect(r.stderr).toContain('stages[0].rateRps');
      noStack(r.stderr);
    }
    const missing = cli(['validate', join(dir, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
    noStack(missing.stderr);
  });

  it('an unreachable target is a clear error within seconds', () => {
    const r = cli(['run', 'profiles/smoke.yaml', '--target', 'http://127.0.0.1:9', '--out', tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(r.ms).toBeLessThan(10_000);
    noStack(r.stderr);
    const bad = cli(['run', 'profiles/smoke.yaml', '--target', 'nonsense']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/target 'nonsense' is neither/);
  });

  it('run --target sim writes a complete run directory and prints where', () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const path = writeProfile(
      dir,
      'name: cli-run\nstages: [{ kind: constant, rateRps: 5, durationS: 2 }]\nworkload: { input: { kind: fixed, tokens: 32 }, output: { kind: fixed, tokens: 4 } }\n',
    );
    const r = cli(['run', path, '--target', 'sim', '--out', out, '--seed', '7']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`run directory: ${out}`);
    expect(r.stdout).toMatch(/ttft\s+10\s/);
    for (const f of ['run.json', 'latency.hlog', 'timeline.ndjson', 'results.ndjson', 'summary.json']) expect(existsSync(join(out, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { totals: { ok: number }; run: { profile: { seed: number } } };
    expect(summary.totals.ok).toBe(10);
    expect(summary.run.profile.seed).toBe(7);
  });

  it('Ctrl-C stops sending, lets in-flight streams finish, writes the run directory and exits 130', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const path = writeProfile(
      dir,
      'name: cli-int\nstages: [{ kind: constant, rateRps: 4, durationS: 60 }]\nworkload: { input: { kind: fixed, tokens: 32 }, output: { kind: fixed, tokens: 20 } }\ngracePeriodS: 5\n',
    );
    const child = spawn(process.execPath, [CLI, 'run', path, '--target', 'sim', '--out', out, '--no-progress'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Once the run has started (its first line), let it send for 1.5 s: 6 requests at 4 req/s.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (stderr.includes('writing')) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping: no new requests/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      run: { stopReason: string; durationS: number };
      totals: { sent: number; ok: number; cancelled: number };
    };
    expect(summary.run.stopReason).toBe('interrupted');
    expect(summary.run.durationS).toBeLessThan(10);
    expect(summary.totals.sent).toBeGreaterThanOrEqual(5);
    // 20 tokens take well under the 5 s grace period: every stream in flight finished.
    expect(summary.totals.ok).toBe(summary.totals.sent);
    expect(summary.totals.cancelled).toBe(0);
  });

  it('run --target sagemaker:<endpoint> streams through the AWS SDK and the fast client to the simulator', async () => {
    const sim = await startSimServer({ config: parseSimConfig({}) });
    try {
      const dir = tempDir();
      const path = writeProfile(
        dir,
        'name: cli-sm\nstages: [{ kind: constant, rateRps: 5, durationS: 2 }]\nworkload: { input: { kind: fixed, tokens: 32 }, output: { kind: fixed, tokens: 6 } }\npayload: { format: tgi }\n',
      );
      for (const client of ['sdk', 'fast']) {
        const out = join(dir, client);
        const r = await cliAsync(['run', path, '--target', 'sagemaker:sim-endpoint', '--endpoint-url', sim.url, '--sagemaker-client', client, '--out', out, '--no-progress']);
        expect(r.stderr).not.toMatch(/Warning/);
        expect(r.status).toBe(0);
        const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { totals: { ok: number; outputTokens: number; tokensFromUsage: number } };
        expect(summary.totals).toMatchObject({ ok: 10, outputTokens: 60, tokensFromUsage: 10 });
      }
      const missing = await cliAsync(['run', path, '--target', 'sagemaker:no-such-endpoint', '--endpoint-url', sim.url, '--out', join(dir, 'x'), '--no-progress']);
      expect(missing.status).toBe(0);
      const s = JSON.parse(readFileSync(join(dir, 'x', 'summary.json'), 'utf8')) as { totals: { errors: number; errorsByKind: Record<string, number> } };
      expect(s.totals.errorsByKind).toEqual({ validation: 10 });
    } finally {
      await sim.close();
    }
  });
});

describe('thresholds, reports and comparison from the CLI', () => {
  it('a failing threshold exits 99 with JUnit XML; report rebuilds the same verdict; compare writes both formats', () => {
    const dir = tempDir();
    const path = writeProfile(
      dir,
      [
        'name: cli-th',
        'stages: [{ kind: constant, rateRps: 4, durationS: 2 }]',
        'workload: { input: { kind: fixed, tokens: 32 }, output: { kind: fixed, tokens: 4 } }',
        'thresholds:',
        '  - "ttft.p99 < 60000"',
        '  - "e2e.p50 < 0.001"',
        '',
      ].join('\n'),
    );
    const a = join(dir, 'a');
    const junit = join(dir, 'junit.xml');
    const r = cli(['run', path, '--out', a, '--no-progress', '--junit', junit]);
    expect(r.status).toBe(99);
    expect(r.stdout).toMatch(/thresholds: 1 of 2 hold/);
    expect(r.stdout).toMatch(/✗ e2e\.p50 < 0\.001/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="scalelab thresholds" tests="2" failures="1"/);
    for (const f of ['report.md', 'report.html']) expect(existsSync(join(a, f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as { thresholds: { pass: boolean }[] };
    expect(summary.thresholds.map((t) => t.pass)).toEqual([true, false]);

    const rebuilt = cli(['report', a]);
    expect(rebuilt.status).toBe(99);
    const b = join(dir, 'b');
    expect(cli(['run', path, '--out', b, '--no-progress']).status).toBe(99);
    const out = join(dir, 'cmp');
    const c = cli(['compare', a, b, '--out', out]);
    expect(c.status).toBe(0);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toMatch(/ttft/);
    expect(existsSync(join(out, 'compare.html'))).toBe(true);
    const one = cli(['compare', a]);
    expect(one.status).toBe(2);
    const missing = cli(['report', join(dir, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no run directory/);
  });
});

describe('cloud data from the CLI', () => {
  it('a SageMaker run samples capacity and reads policies, alarms and metrics; collect fetches them again', async () => {
    const config = await loadSimConfig('sims/demo.yaml');
    const sim = await startSimServer({ config, timeScale: 10 });
    try {
      const dir = tempDir();
      const path = writeProfile(
        dir,
        'name: cli-cloud\nstages: [{ kind: constant, rateRps: 4, durationS: 4 }]\nworkload: { input: { kind: fixed, tokens: 32 }, output: { kind: fixed, tokens: 6 } }\n',
      );
      const out = join(dir, 'run');
      const r = await cliAsync(['run', path, '--target', 'sagemaker:llama3-8b', '--endpoint-url', sim.url, '--out', out, '--no-progress', '--settle', '2', '--capacity-interval', '1']);
      expect(r.status).toBe(0);
      const cloud = JSON.parse(readFileSync(join(out, 'cloud.json'), 'utf8')) as CloudData;
      expect(cloud.resource.resourceId).toBe('endpoint/llama3-8b/variant/AllTraffic');
      expect(cloud.policies.map((p) => p.name)).toEqual(['concurrency-target-5']);
      expect(cloud.alarms.map((a) => a.role).sort()).toEqual(['scale-in', 'scale-out']);
      expect(cloud.capacity.length).toBeGreaterThanOrEqual(3);
      expect(cloud.capacity.every((c) => c.current === 1)).toBe(true);
      expect(cloud.metrics.find((m) => m.metricName === 'ConcurrentRequestsPerModel')?.points.length).toBeGreaterThan(0);
      rmSync(join(out, 'cloud.json'));
      const c = await cliAsync(['collect', out]);
      expect(c.status).toBe(0);
      const again = JSON.parse(readFileSync(join(out, 'cloud.json'), 'utf8')) as CloudData;
      expect(again.policies.map((p) => p.name)).toEqual(['concurrency-target-5']);
      const local = await cliAsync(['collect', tempDirWithRun()]);
      expect(local.status).toBe(2);
    } finally {
      await sim.close();
    }
  });
});

/** A run directory of a run against the in-process simulator over HTTP (not SageMaker). */
function tempDirWithRun(): string {
  const dir = tempDir();
  const out = join(dir, 'run');
  const path = writeProfile(dir, 'name: plain\nstages: [{ kind: constant, rateRps: 2, durationS: 1 }]\n');
  expect(cli(['run', path, '--out', out, '--no-progress']).status).toBe(0);
  return out;
}

/** Like cli(), without blocking the event loop (the test serves the simulator in this process). */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
