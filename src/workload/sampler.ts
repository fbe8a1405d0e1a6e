/**
 * Request specs (token lengths) from a workload: synthetic distributions or a dataset file.
 * Each request draws from its own stream, seeded by the caller (see profile/expand.ts), so request k's
 * tokens do not depend on how many draws other requests or arrival processes made.
 */
import { createRng } from '../lib/random.js';
import type { RequestSpec } from '../profile/types.js';
import type { Dataset } from './dataset.js';
import { sampleTokens, type TokenDistribution } from './distributions.js';

export type TokenSource =
  | { kind: 'synthetic'; input: TokenDistribution; output: TokenDistribution }
  | { kind: 'dataset'; dataset: Dataset };

/** A function from a request's own seed to its token spec. */
export type TokenSampler = (requestSeed: number) => RequestSpec;

export function createTokenSampler(source: TokenSource): TokenSampler {
  if (source.kind === 'dataset') {
    const { inputTokens, outputTokens } = source.dataset;
    return (requestSeed) => {
      const row = Math.floor(createRng(requestSeed).next() * inputTokens.length);
      return { inputTokens: inputTokens[row] ?? 1, outputTokens: outputTokens[row] ?? 1 };
    };
  }
  const { input, output } = source;
  return (requestSeed) => {
    const rng = createRng(requestSeed);
    return { inputTokens: sampleTokens(input, rng), outputTokens: sampleTokens(output, rng) };
  };
}
