/**
 * Arrival processes of open-loop stages: a zod discriminated union on `kind` plus a registry.
 *
 * A process places points in a stage's expected-arrival units (see rate.ts): u ∈ [0, lengthUnits),
 * increasing, where lengthUnits = Λ(D) is the stage's expected request count. The stage sends one
 * request at Λ⁻¹(u) per point. So every process works unchanged on constant, ramped and sine rates.
 */
import { z } from 'zod';
import { exponential, gamma, type Rng } from '../lib/random.js';

const gammaSchema = z
  .strictObject({
    kind: z.literal('gamma'),
    /**
     * Coefficient of variation of inter-arrival times: 1 is Poisson, > 1 bursty, < 1 regular.
     * Capped at 10 (shape ≥ 0.01): beyond it the gamma sampler's U^(1/k) underflows to 0 and gaps vanish.
     */
    cv: z.number().positive().max(10).optional(),
    /** Gamma shape k; CV = 1/√k. */
    shape: z.number().min(0.01).optional(),
  })
  .refine((g) => (g.cv === undefined) !== (g.shape === undefined), {
    message: 'give exactly one of cv (coefficient of variation) or shape (CV = 1/√shape)',
  });

/** `arrivals: poisson` is short for `arrivals: { kind: poisson }`. */
export const arrivalProcessSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { kind: value } : value),
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('uniform') }),
    z.strictObject({ kind: z.literal('poisson') }),
    gammaSchema,
  ]),
);
export type ArrivalProcess = z.infer<typeof arrivalProcessSchema>;

interface ProcessDef<P> {
  /**
   * Points in [0, lengthUnits), increasing. `phaseUnits` is Λ summed over all earlier open stages:
   * uniform spacing uses it to keep one even grid across stage boundaries; random processes restart
   * per stage from their own seeded `rng`.
   */
  points(p: P, lengthUnits: number, phaseUnits: number, rng: Rng): Generator<number>;
  describe(p: P): string;
}

/** ⌈x⌉ that forgives float noise just above an integer (e.g. 40.000000000001 → 40). */
function ceilTolerant(x: number): number {
  return Math.ceil(x - 1e-9);
}

/** A renewal process with mean-1 gaps from `gap`: unit rate in Λ-space. */
function* renewal(lengthUnits: number, gap: () => number): Generator<number> {
  for (let u = gap(); u < lengthUnits; u += gap()) yield u;
}

/** Gamma shape k for a configured process: CV = 1/√k, so k = 1/CV². */
export function gammaShape(p: { cv?: number | undefined; shape?: number | undefined }): number {
  return p.shape ?? 1 / ((p.cv ?? 1) * (p.cv ?? 1));
}

const processes = {
  /**
   * Evenly spaced: arrivals at the integers of the run's cumulative Λ, so request k goes out when k
   * requests were expected (k6's and vegeta's constant pacing; the first at the run's start).
   * A stage holds exactly ⌈Λ_end⌉ − ⌈Λ_start⌉ of them.
   */
  uniform: {
    *points(_p, lengthUnits, phaseUnits) {
      const first = ceilTolerant(phaseUnits);
      const end = ceilTolerant(phaseUnits + lengthUnits);
      for (let k = first; k < end; k++) yield Math.max(0, k - phaseUnits);
    },
    describe: () => 'uniform',
  },
  /** Exp(1) gaps in Λ-space: a Poisson process of rate λ(t) after time rescaling. */
  poisson: {
    points: (_p, lengthUnits, _phase, rng) => renewal(lengthUnits, () => exponential(rng, 1)),
    describe: () => 'poisson',
  },
  /** Gamma(k, 1/k) gaps: mean 1, variance 1/k, so CV = 1/√k (k = 1 is Poisson). */
  gamma: {
    points: (p, lengthUnits, _phase, rng) => {
      const k = gammaShape(p);
      return renewal(lengthUnits, () => gamma(rng, k, 1 / k));
    },
    describe: (p) => `gamma (cv ${(1 / Math.sqrt(gammaShape(p))).toPrecision(3)})`,
  },
} satisfies { [K in ArrivalProcess['kind']]: ProcessDef<Extract<ArrivalProcess, { kind: K }>> };

function defOf(p: ArrivalProcess): ProcessDef<ArrivalProcess> {
  return processes[p.kind] as ProcessDef<ArrivalProcess>;
}

export function arrivalPoints(p: ArrivalProcess, lengthUnits: number, phaseUnits: number, rng: Rng): Generator<number> {
  return defOf(p).points(p, lengthUnits, phaseUnits, rng);
}

export function describeArrivals(p: ArrivalProcess): string {
  return defOf(p).describe(p);
}
