/** Token-length distributions, datasets and the per-request sampler. */
import { describe, expect, test } from 'vitest';
import { createRng } from '../../src/lib/random.js';
import { parseDataset } from '../../src/workload/dataset.js';
import { describeDistribution, meanTokens, sampleTokens, tokenDistributionSchema, type TokenDistribution } from '../../src/workload/distributions.js';
import { createTokenSampler } from '../../src/workload/sampler.js';
import { TableError } from '../../src/workload/table.js';

function draws(d: TokenDistribution, n = 20_000, seed = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleTokens(d, rng));
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('distributions', () => {
  test('fixed', () => {
    expect(new Set(draws({ kind: 'fixed', tokens: 64 }, 100))).toEqual(new Set([64]));
  });

  test('uniform covers [min, max] inclusive, evenly', () => {
    const xs = draws({ kind: 'uniform', min: 10, max: 13 });
    expect(new Set(xs)).toEqual(new Set([10, 11, 12, 13]));
    for (const v of [10, 11, 12, 13]) expect(xs.filter((x) => x === v).length / xs.length).toBeCloseTo(0.25, 1);
    expect(mean(xs)).toBeCloseTo(11.5, 1);
  });

  test('normal has its mean and stddev, whole numbers', () => {
    const xs = draws({ kind: 'normal', mean: 256, stddev: 32 });
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(Math.abs(mean(xs) - 256)).toBeLessThan(1);
    expect(Math.abs(sd(xs) / 32 - 1)).toBeLessThan(0.03);
  });

  test('normal is clamped to ≥ 1, and to min/max when given', () => {
    expect(Math.min(...draws({ kind: 'normal', mean: 2, stddev: 10 }))).toBe(1);
    const xs = draws({ kind: 'normal', mean: 100, stddev: 50, min: 80, max: 120 });
    expect(Math.min(...xs)).toBe(80);
    expect(Math.max(...xs)).toBe(120);
  });

  test('lognormal: median is the median, sigma the spread of ln X', () => {
    const xs = draws({ kind: 'lognormal', median: 300, sigma: 0.5 });
    expect(Math.abs(median(xs) / 300 - 1)).toBeLessThan(0.03);
    expect(Math.abs(sd(xs.map(Math.log)) / 0.5 - 1)).toBeLessThan(0.03);
    // Mean of a log-normal: median · e^(σ²/2).
    expect(Math.abs(mean(xs) / (300 * Math.exp(0.125)) - 1)).toBeLessThan(0.02);
  });

  test('meanTokens: exact for fixed and uniform, the clamped mean otherwise', () => {
    expect(meanTokens({ kind: 'fixed', tokens: 7 })).toBe(7);
    expect(meanTokens({ kind: 'uniform', min: 1, max: 4 })).toBe(2.5);
    expect(meanTokens({ kind: 'lognormal', median: 300, sigma: 0.5 })).toBeCloseTo(300 * Math.exp(0.125), -1);
    // Clamping to [80, 120] keeps the symmetric mean; clamping at ≥ 1 raises a mean near 0.
    expect(meanTokens({ kind: 'normal', mean: 100, stddev: 50, min: 80, max: 120 })).toBeCloseTo(100, 0);
    expect(meanTokens({ kind: 'normal', mean: 1, stddev: 10 })).toBeGreaterThan(4);
  });

  test('describeDistribution', () => {
    expect(describeDistribution({ kind: 'normal', mean: 256, stddev: 32, max: 400 })).toBe('normal(mean 256, stddev 32, max 400)');
    expect(describeDistribution({ kind: 'uniform', min: 1, max: 9 })).toBe('uniform(1..9)');
  });

  test('schema rejects non-integers, zero and unknown fields', () => {
    expect(tokenDistributionSchema.safeParse({ kind: 'fixed', tokens: 1.5 }).success).toBe(false);
    expect(tokenDistributionSchema.safeParse({ kind: 'fixed', tokens: 0 }).success).toBe(false);
    expect(tokenDistributionSchema.safeParse({ kind: 'lognormal', mean: 3, sigma: 1 }).success).toBe(false);
  });
});

describe('datasets and the sampler', () => {
  const dataset = parseDataset('d.csv', 'input_tokens,output_tokens\n10,1\n20,2\n30,3\n');

  test('CSV and JSONL parse to the same rows; column names match loosely', () => {
    const jsonl = parseDataset('d.jsonl', '{"inputTokens":10,"output_tokens":1}\n{"InputTokens":20,"OUTPUT_TOKENS":2}\n\n{"input_tokens":30,"output_tokens":3}\n');
    expect([...jsonl.inputTokens]).toEqual([...dataset.inputTokens]);
    expect([...jsonl.outputTokens]).toEqual([1, 2, 3]);
  });

  test('bad rows name the file and line', () => {
    expect(() => parseDataset('d.csv', 'input_tokens,output_tokens\n10,1\n20\n')).toThrow(
      new TableError('d.csv', 3, 'column "output_tokens" must be a whole number ≥ 1, got nothing'),
    );
    expect(() => parseDataset('d.jsonl', '{"input_tokens": 1, "output_tokens": 1}\n{oops\n')).toThrow('d.jsonl:2: not valid JSON');
    expect(() => parseDataset('d.txt', '')).toThrow('unsupported file type ".txt"');
  });

  test('dataset sampling returns whole rows, seeded, and uses every row', () => {
    const sample = createTokenSampler({ kind: 'dataset', dataset });
    const specs = Array.from({ length: 300 }, (_, i) => sample(i * 7919));
    for (const s of specs) expect(s.outputTokens * 10).toBe(s.inputTokens);
    expect(new Set(specs.map((s) => s.inputTokens))).toEqual(new Set([10, 20, 30]));
    expect(sample(42)).toEqual(sample(42));
  });

  test('synthetic sampling depends only on the request seed', () => {
    const sample = createTokenSampler({
      kind: 'synthetic',
      input: { kind: 'uniform', min: 1, max: 1_000_000 },
      output: { kind: 'uniform', min: 1, max: 1_000_000 },
    });
    expect(sample(5)).toEqual(sample(5));
    expect(sample(5)).not.toEqual(sample(6));
  });
});
