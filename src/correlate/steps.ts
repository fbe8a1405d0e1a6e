/**
 * Load steps from the PLAN (run.plan.stages), not from measured traffic: what the experiment did
 * on purpose, free of the noise of arrivals.
 *
 * At the start of every stage but the first, the rate before (the previous stage's end rate) is
 * compared with the stage's target rate (its end rate: equal to its start rate unless it ramps, so
 * a ramp counts as a step at its start towards its end rate). It is a step when
 * |target − before| / before ≥ thresholdPct / 100 (any rise from 0 is a step up). Closed-loop
 * stages have no planned rate: a boundary touching one is never a step. Sine and trace stages
 * count at their mean rate. The run's first stage is not a step (there is no "before").
 */
import type { StagePlan } from '../profile/types.js';
import type { LoadStep } from './types.js';

export const DEFAULT_STEP_THRESHOLD_PCT = 25;

export interface StepDetectionInput {
  stages: readonly StagePlan[];
  runStartMs: number;
  /** End of the data (epoch ms): windows of the last steps end here. */
  runEndMs: number;
  thresholdPct?: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function detectSteps(input: StepDetectionInput): LoadStep[] {
  const thresholdPct = input.thresholdPct ?? DEFAULT_STEP_THRESHOLD_PCT;
  const found: Omit<LoadStep, 'index' | 'windowEndMs' | 'nextStepMs'>[] = [];
  input.stages.forEach((stage, i) => {
    const prev = input.stages[i - 1];
    if (prev === undefined || prev.mode !== 'open' || stage.mode !== 'open') return;
    const fromRps = prev.endRateRps ?? prev.startRateRps;
    const startRps = stage.startRateRps;
    const toRps = stage.endRateRps ?? startRps;
    if (fromRps === undefined || toRps === undefined || toRps === fromRps) return;
    const isStep = fromRps === 0 || Math.abs(toRps - fromRps) / fromRps >= thresholdPct / 100;
    if (!isStep) return;
    const t0Ms = input.runStartMs + stage.startMs;
    found.push({
      direction: toRps > fromRps ? 'up' : 'down',
      kind: startRps !== undefined && startRps !== toRps ? 'ramp' : 'boundary',
      t0Ms,
      offsetS: stage.startMs / 1000,
      stageIndex: stage.index,
      stageName: stage.name,
      fromRps,
      toRps,
      changePct: fromRps === 0 ? null : round3(((toRps - fromRps) / fromRps) * 100),
    });
  });
  return found.map((s, index) => ({
    ...s,
    index,
    windowEndMs: found.slice(index + 1).find((n) => n.direction === s.direction)?.t0Ms ?? input.runEndMs,
    nextStepMs: found[index + 1]?.t0Ms ?? input.runEndMs,
  }));
}
