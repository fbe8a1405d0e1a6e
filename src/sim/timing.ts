/**
 * The serving model's timing formulas, pure so that tests, reports and docs can compute the numbers
 * a config produces.
 */
import type { ModelConfig } from './config.js';

type PrefillParams = Pick<ModelConfig, 'prefillTokensPerS' | 'prefillOverheadMs'>;
type DecodeParams = Pick<ModelConfig, 'baseStepMs' | 'slowdownAtFullBatch' | 'batchSlots'>;

/** prefillMs = prefillOverheadMs + inputTokens × 1000 / prefillTokensPerS; the first token comes out at its end. */
export function prefillMs(params: PrefillParams, inputTokens: number): number {
  return params.prefillOverheadMs + (inputTokens * 1000) / params.prefillTokensPerS;
}

/**
 * Duration of one decode step (one token for every sequence in the batch) with `active` occupied slots:
 *
 *   stepMs = baseStepMs × (1 + slowdownAtFullBatch × (active − 1) / (batchSlots − 1))
 *
 * linear from baseStepMs alone to baseStepMs × (1 + slowdownAtFullBatch) at a full batch; `active` is
 * clamped to [1, batchSlots], and a single-slot copy always steps at baseStepMs.
 */
export function decodeStepMs(params: DecodeParams, active: number): number {
  if (params.batchSlots <= 1) return params.baseStepMs;
  const clamped = Math.min(Math.max(active, 1), params.batchSlots);
  return params.baseStepMs * (1 + (params.slowdownAtFullBatch * (clamped - 1)) / (params.batchSlots - 1));
}

/** Output tokens per second of one copy with `active` sequences decoding: active × 1000 / stepMs. */
export function aggregateTokensPerS(params: DecodeParams, active: number): number {
  const clamped = Math.min(Math.max(active, 1), params.batchSlots);
  return (clamped * 1000) / decodeStepMs(params, clamped);
}
