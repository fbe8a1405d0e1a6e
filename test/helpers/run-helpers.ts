/** Shared set-up for integration tests that run profiles for real (RealClock, real sockets). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../src/lib/clock.js';
import { parseProfile, expandSchedule, type Profile } from '../../src/profile/index.js';
import { executeRun, type RunOutcome } from '../../src/runner/run.js';
import { createHttpInvoker } from '../../src/targets/http.js';

export function tempDir(prefix = 'scalelab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function readNdjson<T>(path: string): T[] {
  const text = readFileSync(path, 'utf8').trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as T);
}

/** Runs a profile (YAML text) against `baseUrl` with the HTTP invoker, as `scalelab run` does. */
export async function runProfileText(yaml: string, baseUrl: string, outDir = tempDir()): Promise<RunOutcome & { profile: Profile }> {
  const profile = parseProfile(yaml, join(outDir, 'profile.yaml'));
  const schedule = expandSchedule(profile);
  const clock = new RealClock();
  const invoker = createHttpInvoker({
    baseUrl,
    api: profile.api,
    clock,
    maxConnections: profile.limits.maxInFlight,
    requestTimeoutMs: profile.limits.requestTimeoutS * 1000,
  });
  try {
    const outcome = await executeRun({
      schedule,
      invoker,
      clock,
      outDir,
      limits: {
        maxInFlight: profile.limits.maxInFlight,
        gracePeriodS: profile.gracePeriodS,
        ...(profile.limits.maxRequests !== undefined && { maxRequests: profile.limits.maxRequests }),
      },
      intervalMs: profile.recording.intervalMs,
      writeResults: true,
      runInfo: {
        tool: { name: 'scalelab', version: 'test' }, node: process.version, host: 'test',
        profile: { name: profile.name, path: 'profile.yaml', seed: schedule.seed, expanded: profile },
        plan: { durationMs: schedule.durationMs, stages: schedule.stages },
        target: { kind: 'http', url: baseUrl, api: profile.api }, intervalMs: profile.recording.intervalMs,
      },
    });
    return { ...outcome, profile };
  } finally {
    await invoker.close();
  }
}
