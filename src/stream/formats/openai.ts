/**
 * OpenAI-compatible streams (OpenAI, vLLM, SGLang, TGI's /v1, llama.cpp…), chat and completions.
 *
 * Token counting: one token per choice whose chunk carries non-empty text: chat
 * `delta.content` (or `delta.reasoning_content`, which reasoning models stream first), completions
 * `text`. Role-only and empty chunks count 0. Servers may pack several tokens in one chunk, so this
 * count is a floor; the `usage` of the final chunk (requested with `stream_options.include_usage`)
 * gives the true totals and overrides it. Tool-call deltas are not counted.
 *
 * End: `data: [DONE]`. Errors: an `error` field (OpenAI, newer vLLM) or `"object": "error"` (older vLLM).
 */
import { errorText, isNonEmptyString, isObject, parseJsonObject, usageOf, type JsonObject } from './json.js';
import type { StreamFormat, TokenEvent } from './types.js';

const DONE: TokenEvent = Object.freeze({ tokens: 0, done: true });

export const openaiFormat: StreamFormat = {
  decode(payload: string): TokenEvent {
    if (payload === '[DONE]') return DONE;
    const chunk = parseJsonObject(payload);
    if (chunk.error !== undefined && chunk.error !== null) return { tokens: 0, error: errorText(chunk.error) };
    if (chunk.object === 'error') return { tokens: 0, error: errorText(chunk) };
    let tokens = 0;
    if (Array.isArray(chunk.choices)) {
      for (const choice of chunk.choices) if (isObject(choice) && carriesText(choice)) tokens++;
    }
    const usage = isObject(chunk.usage) ? usageOf(chunk.usage.prompt_tokens, chunk.usage.completion_tokens) : undefined;
    return usage ? { tokens, usage } : { tokens };
  },
};

function carriesText(choice: JsonObject): boolean {
  const delta = choice.delta;
  if (isObject(delta)) return isNonEmptyString(delta.content) || isNonEmptyString(delta.reasoning_content);
  return isNonEmptyString(choice.text);
}
