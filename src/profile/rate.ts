/**
 * Rate curves of open-loop stages, with their integral and its exact inverse.
 *
 * Every arrival process works in "expected-arrival units": Λ(t) = ∫₀ᵗ λ(s) ds is the number of
 * arrivals expected by stage-local time t. A process places points u in [0, Λ(D)) (at integers for
 * uniform spacing, with Exp(1) or Gamma gaps for random ones) and each point is sent at t = Λ⁻¹(u).
 * For random processes this is the time-rescaling theorem: a unit-rate Poisson process mapped through
 * Λ⁻¹ is a Poisson process of rate λ(t), exactly, with no thinning and no rejected draws.
 */

export interface RateCurve {
  durationS: number;
  /** λ(t), req/s, at stage-local time t ∈ [0, durationS]. */
  rateAt(tS: number): number;
  /** Λ(t) = ∫₀ᵗ λ: arrivals expected by t. */
  integral(tS: number): number;
  /** Λ⁻¹(units): the earliest t with Λ(t) = units, for 0 ≤ units ≤ Λ(durationS). */
  inverse(units: number): number;
}

/**
 * λ(t) = a + (b − a)·t/D, so Λ(t) = a·t + s·t² with s = (b − a)/(2D).
 * Inverse: the positive root of s·t² + a·t − y = 0, written t = 2y / (a + √(a² + 4sy)) so that it
 * stays exact when s = 0 (t = y/a) and does not cancel catastrophically when s is small.
 * For a ramp down (s < 0), y ≤ Λ(D) keeps the discriminant ≥ 0 (the vertex lies at or after D).
 */
export function linearCurve(fromRps: number, toRps: number, durationS: number): RateCurve {
  const a = fromRps;
  const s = (toRps - fromRps) / (2 * durationS);
  return {
    durationS,
    rateAt: (tS) => a + 2 * s * tS,
    integral: (tS) => a * tS + s * tS * tS,
    inverse: (units) => {
      if (units <= 0) return 0;
      return (2 * units) / (a + Math.sqrt(Math.max(0, a * a + 4 * s * units)));
    },
  };
}

/** Newton steps before giving up on convergence (bisection keeps each step inside the bracket). */
const MAX_INVERSE_STEPS = 100;

/**
 * λ(t) = m + A·sin(ωt + φ), ω = 2π/P, with A ≤ m so λ ≥ 0.
 * Λ(t) = m·t + (A/ω)·(cos φ − cos(ωt + φ)): the curve carries its own integral, like vegeta's sine
 * pacer. Λ has no closed-form inverse, so Λ⁻¹ is found by Newton's method (Λ' = λ) safeguarded by
 * bisection: Λ is non-decreasing, so [lo, hi] always brackets the root and a Newton step that leaves
 * it (or meets λ = 0 at a trough) is replaced by the midpoint. Converges to ~1e-12 units.
 */
export function sineCurve(
  meanRps: number,
  amplitudeRps: number,
  periodS: number,
  phaseRad: number,
  durationS: number,
): RateCurve {
  const omega = (2 * Math.PI) / periodS;
  const rateAt = (tS: number): number => meanRps + amplitudeRps * Math.sin(omega * tS + phaseRad);
  const integral = (tS: number): number =>
    meanRps * tS + (amplitudeRps / omega) * (Math.cos(phaseRad) - Math.cos(omega * tS + phaseRad));
  const inverse = (units: number): number => {
    if (units <= 0) return 0;
    let lo = 0;
    let hi = durationS;
    let t = Math.min(units / meanRps, durationS);
    const tolerance = 1e-12 * Math.max(1, units);
    for (let step = 0; step < MAX_INVERSE_STEPS; step++) {
      const error = integral(t) - units;
      if (Math.abs(error) <= tolerance) break;
      if (error < 0) lo = t;
      else hi = t;
      const rate = rateAt(t);
      const newton = rate > 0 ? t - error / rate : Number.NaN;
      t = newton > lo && newton < hi ? newton : (lo + hi) / 2;
      if (hi - lo <= 1e-15 * durationS) break;
    }
    return t;
  };
  return { durationS, rateAt, integral, inverse };
}
