/**
 * Synthetic prompts of roughly a given token length, cheap enough to call at send time.
 *
 * One long pseudo-English text is built once (lazily, ~64k words, ~400 kB); a prompt is a slice of
 * it, a whole number of words long, starting at a word chosen by the seed. Slicing costs O(1) in V8
 * (a sliced string shares the corpus), so a 4k-token prompt costs no more than a short one.
 *
 * Length: for common English words a tokenizer such as GPT's gives ≈ 1.33 tokens per word, i.e.
 * 1 token ≈ 0.75 words ≈ 4 characters, so `inputTokens` tokens are `round(0.75 · inputTokens)` words.
 * The count is approximate: the endpoint's own tokenizer has the last word.
 *
 * Different seeds start at different places in the text, so prompts do not share long prefixes
 * (which a server's prefix cache would otherwise serve for free).
 */
import { createRng, deriveSeed } from '../lib/random.js';

/** Words per token for English text (OpenAI's rule of thumb: 100 tokens ≈ 75 words). */
export const WORDS_PER_TOKEN = 0.75;

const CORPUS_WORDS = 1 << 16;

const VOCABULARY = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there one all we their been has when who will more no if out so said what up its ' +
  'about into than them can only other new some could time these two may then do first any my now such like ' +
  'our over man me even most made after also did many before must through back years where much your way well ' +
  'down should because each just those people how too little state good very make world still own see men work ' +
  'long get here between both life being under never day same another know while last might us great old year ' +
  'off come since against go came right used take three system water number part light sound place model ' +
  'request latency server traffic capacity scaling answer question summary report table river mountain garden ' +
  'window engine market city village music history science language planet ocean forest winter summer morning'
).split(' ');

interface Corpus {
  text: string;
  /** Offset of word i in `text`; entry CORPUS_WORDS is text.length + 1 (one past a virtual separator). */
  wordStarts: Uint32Array;
}

let corpus: Corpus | undefined;

/** Builds the corpus: sentences of 6–17 words, capitalised, ending in a full stop. Deterministic. */
function buildCorpus(): Corpus {
  const rng = createRng(0x70726f6d);
  const words: string[] = [];
  let sentenceLeft = 0;
  for (let i = 0; i < CORPUS_WORDS; i++) {
    let word = VOCABULARY[Math.floor(rng.next() * VOCABULARY.length)] ?? 'the';
    if (sentenceLeft === 0) {
      sentenceLeft = 6 + Math.floor(rng.next() * 12);
      word = word.charAt(0).toUpperCase() + word.slice(1);
    }
    sentenceLeft--;
    words.push(sentenceLeft === 0 ? `${word}.` : word);
  }
  const wordStarts = new Uint32Array(CORPUS_WORDS + 1);
  let offset = 0;
  for (let i = 0; i < CORPUS_WORDS; i++) {
    wordStarts[i] = offset;
    offset += (words[i] ?? '').length + 1;
  }
  wordStarts[CORPUS_WORDS] = offset;
  return { text: words.join(' '), wordStarts };
}

/** `count` words of the corpus from word `start`, `start + count ≤ CORPUS_WORDS`. */
function slice(c: Corpus, start: number, count: number): string {
  return c.text.slice(c.wordStarts[start] ?? 0, (c.wordStarts[start + count] ?? 1) - 1);
}

/**
 * A deterministic pseudo-English prompt of about `inputTokens` tokens (`round(0.75 · inputTokens)`
 * words, at least one). Same (inputTokens, seed) → same text.
 */
export function syntheticPrompt(inputTokens: number, seed: number): string {
  corpus ??= buildCorpus();
  let remaining = Math.max(1, Math.round(inputTokens * WORDS_PER_TOKEN));
  let start = deriveSeed(seed, 'prompt') % CORPUS_WORDS;
  const pieces: string[] = [];
  // Longer than the corpus (> ~87k tokens): wrap around to its beginning.
  while (remaining > 0) {
    const count = Math.min(remaining, CORPUS_WORDS - start);
    pieces.push(slice(corpus, start, count));
    remaining -= count;
    start = 0;
  }
  return pieces.length === 1 ? (pieces[0] ?? '') : pieces.join(' ');
}
