/**
 * Cost of capacity over the run: ∫ current capacity dt, a step function of the capacity samples
 * (each sample holds until the next; before the first sample its value is assumed), over the run
 * window. `current` is counted (instances or copies in service), not `desired`. Price is per
 * instance-hour (variant) or per copy-hour (inference component), as the user gives it.
 */
import type { CloudData } from '../cloud/types.js';
import type { CostFigures, Figure } from './types.js';

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

const NO_PRICE = 'no price per hour given';

export interface CostInput {
  cloud: CloudData;
  fromMs: number;
  toMs: number;
  outputTokens: number;
  pricePerHour?: number;
}

/** Undefined when there are no capacity samples to integrate. */
export function costFigures(input: CostInput): CostFigures | undefined {
  const { cloud, fromMs, toMs, outputTokens } = input;
  const samples = [...cloud.capacity].sort((a, b) => a.tMs - b.tMs);
  const first = samples[0];
  if (first === undefined || toMs <= fromMs) return undefined;
  let level = first.current;
  let atMs = fromMs;
  let unitMs = 0;
  for (const s of samples) {
    if (s.tMs >= toMs) break;
    if (s.tMs > atMs) {
      unitMs += level * (s.tMs - atMs);
      atMs = s.tMs;
    }
    level = s.current;
  }
  unitMs += level * (toMs - atMs);
  const unitSeconds = round3(unitMs / 1000);
  const price = input.pricePerHour;
  const rawUsd = price === undefined ? undefined : (unitMs / 3_600_000) * price;
  const costUsd: Figure = rawUsd === undefined ? { value: null, reason: NO_PRICE } : { value: round6(rawUsd) };
  const costPerMillionOutputTokensUsd: Figure =
    rawUsd === undefined
      ? { value: null, reason: NO_PRICE }
      : outputTokens === 0
        ? { value: null, reason: 'no output tokens in the run' }
        : { value: round6((rawUsd / outputTokens) * 1e6) };
  return {
    unit: cloud.resource.kind === 'inference-component' ? 'copy' : 'instance',
    fromMs,
    toMs,
    unitSeconds,
    meanCapacity: round3(unitMs / (toMs - fromMs)),
    pricePerHour: price ?? null,
    costUsd,
    outputTokens,
    costPerMillionOutputTokensUsd,
  };
}
