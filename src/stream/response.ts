/**
 * A container's streamed response (the bytes of SageMaker PayloadPart events, in order) → token
 * events, for any of the container formats, with the framing and the format detected.
 *
 * Framing is read from the first non-blank line: one starting with `{` means JSON lines (LMI),
 * anything else SSE (`data:` lines, comments). The format, unless fixed, is read from the first
 * payload's shape: `[DONE]` or an object with `choices` or `object` is OpenAI; otherwise TGI over
 * SSE and LMI over JSON lines. A line split across PayloadParts is buffered by the LineSplitter.
 */
import { STREAM_FORMATS, type StreamFormat, type TokenEvent } from './formats/index.js';
import { isObject, parseJsonObject } from './formats/json.js';
import type { ByteStreamDecoder } from './decode.js';
import { LineSplitter } from './lines.js';
import { SseParser } from './sse.js';

/** Response formats a user can name; `auto` detects. */
export const RESPONSE_FORMATS = ['auto', 'tgi', 'lmi', 'openai'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

type Framing = 'sse' | 'jsonlines';

const OPEN_BRACE = 0x7b;

/** The format a stream's first payload reveals. @throws InvocationError(malformed_payload) for a payload that is not JSON. */
export function detectFormat(payload: string, framing: Framing): StreamFormat {
  if (payload === '[DONE]') return STREAM_FORMATS.openai;
  const first = parseJsonObject(payload);
  if (Array.isArray(first.choices) || typeof first.object === 'string' || isObject(first.usage)) return STREAM_FORMATS.openai;
  return framing === 'sse' ? STREAM_FORMATS.tgi : STREAM_FORMATS.lmi;
}

/**
 * A decoder calling `onEvent` for every payload of the stream. Throws `InvocationError`s of kind
 * `malformed_payload` for lines it cannot read; after one, it must not be fed again.
 */
export function createResponseDecoder(format: ResponseFormat, onEvent: (event: TokenEvent) => void, maxLineLength?: number): ByteStreamDecoder {
  let chosen: StreamFormat | undefined = format === 'auto' ? undefined : STREAM_FORMATS[format];
  let framing: Framing = 'sse';
  let sse: SseParser | undefined;

  const payload = (data: string): void => {
    chosen ??= detectFormat(data, framing);
    onEvent(chosen.decode(data));
  };
  const jsonLine = (line: string): void => {
    if (line.trim().length > 0) payload(line);
  };
  const sseLine = (line: string): void => (sse as SseParser).line(line);
  let onLine = (line: string): void => {
    const text = line.trimStart();
    if (text.length === 0) return;
    if (text.charCodeAt(0) === OPEN_BRACE) {
      framing = 'jsonlines';
      onLine = jsonLine;
    } else {
      sse = new SseParser(payload);
      onLine = sseLine;
    }
    onLine(line);
  };
  const lines = new LineSplitter((line) => onLine(line), maxLineLength);
  return {
    push: (chunk) => lines.push(chunk),
    end: () => {
      lines.end();
      sse?.end();
    },
  };
}
