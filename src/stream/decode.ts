/**
 * Stacks the layers for a server-sent-event stream: bytes → lines → SSE payloads → token events.
 */
import type { StreamFormat, TokenEvent } from './formats/types.js';
import { LineSplitter } from './lines.js';
import { SseParser } from './sse.js';

/** Incremental decoder: feed chunks as they arrive, then `end` once. Throws `InvocationError`s. */
export interface ByteStreamDecoder {
  push(chunk: Uint8Array): void;
  end(): void;
}

/**
 * A decoder that calls `onEvent` for every SSE event of the stream, as decoded by `format`.
 * `maxLineLength` bounds memory (see LineSplitter).
 */
export function createSseDecoder(
  format: StreamFormat,
  onEvent: (event: TokenEvent) => void,
  maxLineLength?: number,
): ByteStreamDecoder {
  const sse = new SseParser((data) => onEvent(format.decode(data)));
  const lines = new LineSplitter((line) => sse.line(line), maxLineLength);
  return {
    push: (chunk) => lines.push(chunk),
    end: () => {
      lines.end();
      sse.end();
    },
  };
}
