/**
 * A run directory read back into memory: the one input of reports, comparisons and thresholds
 * (DESIGN invariant 6). Missing optional files (results, cloud.json) are absent, not errors; a
 * missing or broken required file is a UserError naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, errorMessage } from '../lib/errors.js';
import type { CloudData } from '../cloud/types.js';
import { readHlog, type HlogInterval } from '../record/hlog.js';
import type { TimelineRow } from '../record/recorder.js';
import { RUN_FILES } from '../record/run-dir.js';
import type { RunInfo, Summary } from '../record/summary.js';

export const CLOUD_FILE = 'cloud.json';

export interface RunData {
  dir: string;
  run: RunInfo;
  summary: Summary;
  timeline: TimelineRow[];
  /** Every interval histogram of latency.hlog, in file order (tags: e2e, ttft, itl, tpot, lag, <metric>.stage<i>). */
  hlog: HlogInterval[];
  cloud?: CloudData;
}

function readText(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new UserError('run_incomplete', `${path} is missing: is ${dir} a scalelab run directory?`);
  return readFileSync(path, 'utf8');
}

function parseJson<T>(dir: string, name: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e: unknown) {
    throw new UserError('run_corrupt', `${join(dir, name)} is not valid JSON (${errorMessage(e)})`);
  }
}

export function loadRun(path: string): RunData {
  const dir = resolve(path);
  if (!existsSync(dir)) throw new UserError('run_missing', `no run directory at ${dir}`);
  const run = parseJson<RunInfo>(dir, RUN_FILES.run, readText(dir, RUN_FILES.run));
  const summary = parseJson<Summary>(dir, RUN_FILES.summary, readText(dir, RUN_FILES.summary));
  const timeline = readText(dir, RUN_FILES.timeline)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as TimelineRow;
      } catch {
        throw new UserError('run_corrupt', `${join(dir, RUN_FILES.timeline)}:${i + 1} is not valid JSON`);
      }
    });
  const hlog = readHlog(readText(dir, RUN_FILES.hlog));
  const cloudPath = join(dir, CLOUD_FILE);
  const cloud = existsSync(cloudPath) ? parseJson<CloudData>(dir, CLOUD_FILE, readFileSync(cloudPath, 'utf8')) : undefined;
  return { dir, run, summary, timeline, hlog, ...(cloud && { cloud }) };
}
