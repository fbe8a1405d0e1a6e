/**
 * Token text and token counting for the HTTP layer. The model only counts tokens; this gives each one
 * a short, deterministic text so clients can check what they received.
 */
import type { TokenTextMode } from './config.js';

const WORDS = ['the', 'model', 'says', 'a', 'short', 'word', 'per', 'token', 'and', 'then', 'some', 'more'] as const;

/** Token `index`'s text, with a leading space as real tokenizers give mid-sentence words. */
export function tokenText(mode: TokenTextMode, index: number): string {
  if (mode === 'numbered') return ` t${index}`;
  return ` ${WORDS[index % WORDS.length]!}`;
}

/** A stable fake vocabulary id for token `index` (TGI streams carry one). */
export function tokenId(mode: TokenTextMode, index: number): number {
  return mode === 'numbered' ? 1000 + index : 1000 + (index % WORDS.length);
}

/**
 * Input tokens estimated from prompt text: ceil(chars / 4), at least 1 — the usual rule of thumb for
 * English with BPE tokenizers. Characters are UTF-16 code units.
 */
export function estimateInputTokens(promptChars: number): number {
  return Math.max(1, Math.ceil(promptChars / 4));
}
