/** Synthetic prompts: length, determinism, cost. */
import { describe, expect, test } from 'vitest';
import { syntheticPrompt, WORDS_PER_TOKEN } from '../../src/workload/prompt.js';

function words(text: string): number {
  return text.split(' ').length;
}

describe('syntheticPrompt', () => {
  test.each([1, 2, 10, 256, 4096])('%d tokens → round(0.75 × n) words (at least 1)', (tokens) => {
    const text = syntheticPrompt(tokens, 3);
    expect(words(text)).toBe(Math.max(1, Math.round(tokens * WORDS_PER_TOKEN)));
    expect(text).not.toMatch(/^\s|\s$|\s\s/);
  });

  test('about 4 characters per token', () => {
    const charsPerToken = syntheticPrompt(2000, 11).length / 2000;
    expect(charsPerToken).toBeGreaterThan(3);
    expect(charsPerToken).toBeLessThan(5);
  });

  test('deterministic per seed; different seeds start elsewhere', () => {
    expect(syntheticPrompt(300, 1)).toBe(syntheticPrompt(300, 1));
    const prefixes = new Set(Array.from({ length: 100 }, (_, seed) => syntheticPrompt(50, seed).slice(0, 60)));
    expect(prefixes.size).toBe(100);
  });

  test('longer than the corpus: wraps and keeps the word count', () => {
    const text = syntheticPrompt(200_000, 5);
    expect(words(text)).toBe(150_000);
  });

  test('cheap at send time: 10,000 prompts of 1k tokens well under a second', () => {
    syntheticPrompt(1, 0); // builds the corpus once
    const started = performance.now();
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += syntheticPrompt(1000, i).length;
    expect(total).toBeGreaterThan(10_000 * 3000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
