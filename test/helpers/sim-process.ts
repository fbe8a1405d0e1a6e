/**
 * The built simulator (dist/, so `npm run build` first — `npm test` does) in a child process, with
 * its ground truth on request. Both processes' RealClocks are calibrated to the wall clock's
 * millisecond edge, so their instants compare to within microseconds.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerRequestRecord } from '../../src/sim/server.js';

export interface SimProcess {
  url: string;
  groundTruth(): Promise<ServerRequestRecord[]>;
  close(): Promise<void>;
}

export async function startSimProcess(config: object = {}): Promise<SimProcess> {
  const script = fileURLToPath(new URL('./sim-child.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the simulator process ended');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const { url } = (await next()) as { url: string };
  return {
    url,
    async groundTruth() {
      child.stdin.write('truth\n');
      return ((await next()) as { truth: ServerRequestRecord[] }).truth;
    },
    async close() {
      child.stdin.write('close\n');
      await once(child, 'exit');
    },
  };
}
