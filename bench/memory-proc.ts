/**
 * Benchmark child processes: start one pinned to a CPU core, and read what it costs from Linux's
 * /proc (resident memory, its high-water mark, CPU time), so a measurement never runs in the
 * measured process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** `taskset` pins a process to a core; without it children run unpinned (and the report says so). */
export const TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** Clock ticks per second of /proc/<pid>/stat CPU times (USER_HZ, 100 on every Linux we know). */
const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Starts `node <args>`, on `core` when taskset is there; stdout is piped, stderr inherited. */
export function spawnNodePinned(args: string[], core: number | undefined): ChildProcess {
  const [cmd, argv] = TASKSET && core !== undefined ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args];
  // taskset execs node in place, so the child's pid is node's.
  return spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves with the child's exit code; -1 when a signal killed it. */
export function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

/** One reading of a process, times in epoch ms. */
export interface ProcSample {
  atMs: number;
  rssBytes: number;
  /** Peak resident set so far (VmHWM). */
  hwmBytes: number;
  /** User + system CPU time so far. */
  cpuS: number;
}

/** Reads /proc/<pid>; undefined once the process is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { atMs: Date.now(), rssBytes: kB(status, 'VmRSS'), hwmBytes: kB(status, 'VmHWM'), cpuS: ticks / TICKS_PER_S };
  } catch {
    return undefined;
  }
}

function kB(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process every `everyMs` until `stop`; keeps every sample (a few hundred per run). */
export function sampleProc(pid: number, everyMs: number): { stop: () => ProcSample[] } {
  const samples: ProcSample[] = [];
  const take = (): void => {
    const s = readProc(pid);
    if (s) samples.push(s);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Bytes in a MiB; /proc reports kB (KiB). */
export const MB = 1024 * 1024;

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}
