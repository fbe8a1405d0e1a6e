/**
 * Hugging Face Text Generation Inference `/generate_stream`.
 *
 * Every event carries exactly one generated token: `{"token":{"id","text","logprob","special"},
 * "generated_text":null,"details":null}`; the last one has `generated_text` set and, when asked
 * with `parameters.details`, `details.generated_tokens` (and `details.input_length` in newer TGI).
 *
 * Token counting: every token event counts 1, special or not, and whatever its text (byte-fallback
 * tokenizers stream "" for a partial character). Each event is one decode step of the model, so
 * this matches `details.generated_tokens` (which includes the final EOS) and keeps inter-token
 * gaps honest. Special tokens are only a rendering concern. The last event sets `done`.
 *
 * Errors: `{"error": "...", "error_type": "generation"}` in the stream.
 */
import { errorText, isObject, parseJsonObject, usageOf } from './json.js';
import type { StreamFormat, TokenEvent } from './types.js';

export const tgiFormat: StreamFormat = {
  decode(payload: string): TokenEvent {
    const event = parseJsonObject(payload);
    if (event.error !== undefined && event.error !== null) {
      const type = typeof event.error_type === 'string' ? ` (${event.error_type})` : '';
      return { tokens: 0, error: errorText(event.error) + type };
    }
    const result: TokenEvent = { tokens: isObject(event.token) ? 1 : 0 };
    if (typeof event.generated_text === 'string') result.done = true;
    if (isObject(event.details)) {
      const usage = usageOf(event.details.input_length, event.details.generated_tokens);
      if (usage) result.usage = usage;
    }
    return result;
  },
};
