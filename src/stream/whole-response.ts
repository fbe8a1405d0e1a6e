/**
 * A non-streamed response body (InvokeEndpoint) → one token event: the whole answer arrives at
 * once, so it counts as one event, and the server's usage (OpenAI `usage`, TGI/LMI `details`)
 * gives the token totals where present. TGI's SageMaker route answers a one-element array.
 */
import type { TokenEvent } from './formats/index.js';
import { errorText, isObject, notAnObject, parseJson, usageOf } from './formats/json.js';

const utf8 = new TextDecoder('utf-8');

/** @throws InvocationError(malformed_payload) when the body is not a JSON object (or a one-object array). */
export function decodeWholeResponse(body: Uint8Array): TokenEvent {
  const text = utf8.decode(body);
  const value = parseJson(text);
  const answer = Array.isArray(value) ? (value[0] as unknown) : value;
  if (!isObject(answer)) throw notAnObject(text);
  if (answer.error !== undefined && answer.error !== null) return { tokens: 0, error: errorText(answer.error) };
  const usage = isObject(answer.usage)
    ? usageOf(answer.usage.prompt_tokens, answer.usage.completion_tokens)
    : isObject(answer.details)
      ? usageOf(answer.details.input_length, answer.details.generated_tokens)
      : undefined;
  return usage ? { tokens: 1, usage, done: true } : { tokens: 1, done: true };
}
