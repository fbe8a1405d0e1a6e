/**
 * Token-length distributions for synthetic workloads: a zod discriminated union on `kind` plus a
 * registry of samplers, so adding a distribution is adding one schema and one registry entry.
 *
 * Every sample is a whole number of tokens ≥ 1. `min`/`max` clamp the result where a distribution
 * has them (for `uniform` they are the range itself).
 */
import { z } from 'zod';
import { createRng, standardNormal, type Rng } from '../lib/random.js';

const tokens = z.int().min(1);
const clamps = { min: tokens.optional(), max: tokens.optional() };

/** `max ≥ min` when both are given; the issue lands on `max`. */
function minBelowMax(d: { min?: number | undefined; max?: number | undefined }): boolean {
  return d.min === undefined || d.max === undefined || d.max >= d.min;
}
const maxMessage = { path: ['max'], message: 'must be ≥ min' };

const fixedSchema = z.strictObject({ kind: z.literal('fixed'), tokens });
const uniformSchema = z
  .strictObject({ kind: z.literal('uniform'), min: tokens, max: tokens })
  .refine(minBelowMax, maxMessage);
const normalSchema = z
  .strictObject({ kind: z.literal('normal'), mean: z.number().positive(), stddev: z.number().min(0), ...clamps })
  .refine(minBelowMax, maxMessage);
/**
 * Log-normal parameterised by its median and σ (the standard deviation of ln X): X = median·e^(σZ).
 * The median is what one reads off a dataset; the mean is median·e^(σ²/2).
 */
const lognormalSchema = z
  .strictObject({ kind: z.literal('lognormal'), median: z.number().positive(), sigma: z.number().min(0), ...clamps })
  .refine(minBelowMax, maxMessage);

export const tokenDistributionSchema = z.discriminatedUnion('kind', [
  fixedSchema,
  uniformSchema,
  normalSchema,
  lognormalSchema,
]);
export type TokenDistribution = z.infer<typeof tokenDistributionSchema>;

interface DistributionDef<D> {
  /** One raw draw (before rounding and clamping). */
  draw(d: D, rng: Rng): number;
  /** Short human description, e.g. "normal(mean 256, stddev 32)". */
  describe(d: D): string;
}

function clampText(d: { min?: number | undefined; max?: number | undefined }): string {
  const parts = [d.min === undefined ? '' : `min ${d.min}`, d.max === undefined ? '' : `max ${d.max}`].filter(Boolean);
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}

const distributions = {
  fixed: { draw: (d) => d.tokens, describe: (d) => `fixed ${d.tokens}` },
  // Inclusive integer range: floor(min + U·(max − min + 1)).
  uniform: {
    draw: (d, rng) => Math.floor(d.min + rng.next() * (d.max - d.min + 1)),
    describe: (d) => `uniform(${d.min}..${d.max})`,
  },
  normal: {
    draw: (d, rng) => d.mean + d.stddev * standardNormal(rng),
    describe: (d) => `normal(mean ${d.mean}, stddev ${d.stddev}${clampText(d)})`,
  },
  lognormal: {
    draw: (d, rng) => d.median * Math.exp(d.sigma * standardNormal(rng)),
    describe: (d) => `lognormal(median ${d.median}, sigma ${d.sigma}${clampText(d)})`,
  },
} satisfies { [K in TokenDistribution['kind']]: DistributionDef<Extract<TokenDistribution, { kind: K }>> };

function defOf(d: TokenDistribution): DistributionDef<TokenDistribution> {
  return distributions[d.kind] as DistributionDef<TokenDistribution>;
}

/** One token count from `d`: rounded, clamped to [min, max] and to ≥ 1. */
export function sampleTokens(d: TokenDistribution, rng: Rng): number {
  let n = Math.round(defOf(d).draw(d, rng));
  if ('min' in d && d.min !== undefined) n = Math.max(n, d.min);
  if ('max' in d && d.max !== undefined) n = Math.min(n, d.max);
  return Math.max(1, n);
}

export function describeDistribution(d: TokenDistribution): string {
  return defOf(d).describe(d);
}

/** Draws used by {@link meanTokens}: the standard error of the estimate is σ/√20000 ≈ 0.7% of σ. */
const MEAN_SAMPLES = 20_000;

/**
 * Mean token count of `d` as actually sampled (after rounding and clamping). Closed forms exist for the
 * raw distributions but not after clamping to ≥ 1 and [min, max], so the clamped ones are estimated by
 * sampling with a fixed seed: deterministic, and what the run will see.
 */
export function meanTokens(d: TokenDistribution): number {
  if (d.kind === 'fixed') return d.tokens;
  if (d.kind === 'uniform') return (d.min + d.max) / 2;
  const rng = createRng(0x5ca1ab1e);
  let sum = 0;
  for (let i = 0; i < MEAN_SAMPLES; i++) sum += sampleTokens(d, rng);
  return sum / MEAN_SAMPLES;
}
