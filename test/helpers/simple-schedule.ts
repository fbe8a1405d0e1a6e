/** A hand-made Schedule (evenly spaced open-loop stages), independent of the profile module. */
import type { PlannedRequest, Schedule, StagePlan } from '../../src/profile/types.js';

export function stepSchedule(stages: { rateRps: number; durationS: number }[], spec = { inputTokens: 16, outputTokens: 8 }, seed = 1): Schedule {
  let startMs = 0;
  const plans: StagePlan[] = stages.map((s, index) => {
    const plan: StagePlan = {
      index, name: `s${index}`, startMs, durationMs: s.durationS * 1000, mode: 'open',
      startRateRps: s.rateRps, endRateRps: s.rateRps, expectedRequests: Math.round(s.rateRps * s.durationS),
      description: `${s.rateRps} req/s`,
    };
    startMs += s.durationS * 1000;
    return plan;
  });
  return {
    seed,
    durationMs: startMs,
    stages: plans,
    *arrivals(): Iterable<PlannedRequest> {
      let seq = 0;
      for (const p of plans) {
        const gapMs = 1000 / (p.startRateRps ?? 1);
        for (let i = 0; i < (p.expectedRequests ?? 0); i++) yield { seq: seq++, stage: p.index, offsetMs: p.startMs + i * gapMs, ...spec };
      }
    },
    rateAt(offsetMs) {
      const p = plans.find((x) => offsetMs >= x.startMs && offsetMs < x.startMs + x.durationMs);
      return p?.startRateRps ?? 0;
    },
    closedLoopSpec: () => spec,
  };
}
