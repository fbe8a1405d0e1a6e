/** The profile's `stages` entries expanded, in order, into segments (stages of the plan). */
import { FieldError } from './issues.js';
import type { Profile } from './schema.js';
import { expandEntry, type Segment } from './shapes.js';

/**
 * Expands every entry, threading the previous segment's final rate into the next (for ramps).
 * @throws FieldError with a path from the profile's root (e.g. `stages[3].fromRps`).
 */
export function planSegments(profile: Profile): Segment[] {
  const segments: Segment[] = [];
  let previousRateRps: number | null = 0;
  profile.stages.forEach((entry, index) => {
    try {
      const expanded = expandEntry(entry, {
        previousRateRps,
        defaultArrivals: profile.arrivals,
        trace: () => profile.source.trace(index),
      });
      segments.push(...expanded);
      const last = expanded[expanded.length - 1]?.load;
      if (last !== undefined) previousRateRps = last.kind === 'rate' ? last.finalRateRps : null;
    } catch (e: unknown) {
      throw e instanceof FieldError ? e.under(['stages', index]) : e;
    }
  });
  return segments;
}
