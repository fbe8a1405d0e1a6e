/**
 * Bytes → lines: the bottom layer of every line-based stream decoder (SSE, JSON lines).
 *
 * Incremental: fed network chunks as they arrive, it buffers a line split across chunks and a
 * multi-byte UTF-8 character split across chunks (TextDecoder in streaming mode). Lines end at
 * `\n` or `\r\n`; a bare `\r` is not a terminator (the SSE spec allows it, but no inference server
 * emits it, and honouring it would mean holding back every chunk that ends in `\r`). Invalid UTF-8
 * becomes U+FFFD rather than failing: it cannot change how many events a stream carries.
 */
import { InvocationError } from '../targets/types.js';

/** Longest accepted line, in UTF-16 code units (≈ bytes for ASCII JSON): 1 Mi. */
export const DEFAULT_MAX_LINE_LENGTH = 1 << 20;

/**
 * Splits a byte stream into lines, without their terminators.
 *
 * Memory stays bounded: a line longer than `maxLineLength` throws an `InvocationError` of kind
 * `malformed_payload` (code `line_too_long`) as soon as the buffered part exceeds the limit.
 * After it throws, the splitter must not be fed again.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength: number = DEFAULT_MAX_LINE_LENGTH,
  ) {}

  /** Feeds one chunk; calls `onLine` for every line it completes. */
  push(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.pending += text;
      this.checkLength(this.pending.length);
      return;
    }
    const first = this.pending + text.slice(0, nl);
    this.pending = '';
    this.emit(first);
    let start = nl + 1;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
    this.checkLength(this.pending.length);
  }

  /** Ends the stream: a last line without a terminator is still a line. */
  end(): void {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    this.checkLength(line.length);
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  private checkLength(length: number): void {
    if (length > this.maxLineLength) {
      throw new InvocationError({
        kind: 'malformed_payload',
        code: 'line_too_long',
        message: `stream line longer than ${this.maxLineLength} characters`,
      });
    }
  }
}
