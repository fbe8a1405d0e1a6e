/**
 * A fingerprint of what a profile plans, so shards of one run can be told from shards of another:
 * sha256 over the canonical JSON (keys sorted) of the validated profile with its seed, and over the
 * rows of the trace and dataset files it loaded. Where the profile file lies is left out (each
 * machine may keep it elsewhere); what it says, and the data it refers to, is in.
 */
import { createHash } from 'node:crypto';
import type { Profile } from './schema.js';

/** JSON with object keys in sorted order at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

const bytes = (a: Float64Array | Uint32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Hex sha256 of the expanded profile (its seed included) and its loaded data files. */
export function profileHash(profile: Profile): string {
  const { source, ...spec } = profile;
  const h = createHash('sha256');
  h.update(canonicalJson({ spec, seed: profile.seed }));
  for (const [entry, trace] of [...source.traces.entries()].sort(([a], [b]) => a - b)) {
    h.update(`\ntrace ${entry} ${trace.offsetsMs.length}\n`);
    h.update(bytes(trace.offsetsMs));
    h.update(bytes(trace.inputTokens));
    h.update(bytes(trace.outputTokens));
  }
  if (source.dataset) {
    h.update(`\ndataset ${source.dataset.inputTokens.length}\n`);
    h.update(bytes(source.dataset.inputTokens));
    h.update(bytes(source.dataset.outputTokens));
  }
  return h.digest('hex');
}
