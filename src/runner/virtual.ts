/**
 * Drives work that runs on a VirtualClock: advances time to each next wake-up until the work
 * settles. Between wake-ups real I/O (run-directory writes) gets its turn of the event loop.
 */
import type { VirtualClock } from '../lib/clock.js';

/** Virtual time advanced per step of the driver: events inside a step cost no event-loop turn. */
const STEP_MS = 1000;

export async function runInVirtualTime<T>(clock: VirtualClock, work: Promise<T>): Promise<T> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  while (!settled) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const next = clock.nextWakeMs();
    if (next !== undefined) await clock.advanceTo(next + STEP_MS);
    else if (!settled) await new Promise<void>((resolve) => setTimeout(resolve, 1)); // only real I/O left
  }
  return watched;
}
