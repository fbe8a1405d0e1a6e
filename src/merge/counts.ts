/** Adding counters: what shards count, summed, is what one process would have counted. */
import type { Counts } from '../record/recorder.js';

type NumericCountKey = Exclude<keyof Counts, 'errorsByKind'>;

const COUNT_KEYS = [
  'scheduled', 'sent', 'ok', 'errors', 'timeouts', 'cancelled', 'dropped',
  'inputTokens', 'outputTokens', 'tokensFromUsage', 'tokensFromEvents',
] as const satisfies readonly NumericCountKey[];

/** Per-kind counts added (kinds absent everywhere stay absent). */
export function sumByKind<K extends string>(maps: readonly Partial<Record<K, number>>[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const m of maps) for (const [k, n] of Object.entries(m) as [K, number][]) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The Counts fields of each (a summary's CountsSummary carries derived fields too: those are left out). */
export function sumCounts(list: readonly Counts[]): Counts {
  const out = Object.fromEntries(COUNT_KEYS.map((k) => [k, list.reduce((s, c) => s + (c[k] ?? 0), 0)])) as Record<NumericCountKey, number>;
  return { ...out, errorsByKind: sumByKind(list.map((c) => c.errorsByKind ?? {})) };
}
