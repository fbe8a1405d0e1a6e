/** Drives a promise that runs on a VirtualClock: advances time to each next wake-up until it settles. */
import type { VirtualClock } from '../../src/lib/clock.js';

export async function driveVirtual<T>(clock: VirtualClock, work: Promise<T>, limitMs = Number.POSITIVE_INFINITY): Promise<T> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  while (!settled) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const next = clock.nextWakeMs();
    if (next !== undefined && next <= limitMs) await clock.advanceTo(next);
    else await new Promise<void>((resolve) => setTimeout(resolve, 1)); // real I/O (file writes) in progress
  }
  return watched;
}
