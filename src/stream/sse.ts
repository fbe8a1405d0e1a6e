/**
 * Lines → server-sent event payloads (the `data` of each event), after the WHATWG
 * event-stream interpretation, with two tolerances for real inference servers.
 *
 * Per the spec: `data:` lines accumulate, joined with `\n`; one space after the colon is
 * stripped; a line starting with `:` is a comment; a blank line dispatches the event; an event
 * without any `data` field is not dispatched. `event`, `id` and `retry` are ignored: OpenAI and
 * TGI put everything in `data`, and we never reconnect.
 *
 * Tolerances:
 * 1. A `data:` line that starts an event and holds a single-line JSON object (first character `{`,
 *    last `}`) is dispatched at once, without waiting for the blank line. Some servers (TGI in
 *    some versions, hand-rolled proxies) omit the blank line between events; waiting for it would
 *    merge events into invalid JSON, or at best date every event one inter-token gap late. Every
 *    OpenAI and TGI payload is such a line, so for them timing is exact with or without blank
 *    lines. Multi-line data still joins when its first line is not a whole object.
 * 2. An event still pending at the end of the stream is dispatched (the spec discards it), so a
 *    final `data: [DONE]` without its blank line is not lost.
 */

const COLON = 0x3a;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Turns lines into event payloads; feed it every line of the stream, then call `end`. */
export class SseParser {
  /** Data of the event being built; undefined until its first `data` field. */
  private data: string | undefined;

  constructor(private readonly onData: (data: string) => void) {}

  /** Feeds one line, without its terminator. */
  line(line: string): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === COLON) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    const valueStart = colon === -1 ? line.length : line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    const value = line.slice(valueStart);
    if (this.data !== undefined) {
      this.data += '\n' + value;
    } else if (isSingleLineObject(value)) {
      this.onData(value);
    } else {
      this.data = value;
    }
  }

  /** Ends the stream, dispatching a pending event (tolerance 2). */
  end(): void {
    this.dispatch();
  }

  private dispatch(): void {
    if (this.data === undefined) return;
    const data = this.data;
    this.data = undefined;
    this.onData(data);
  }
}

function isSingleLineObject(value: string): boolean {
  return value.length >= 2 && value.charCodeAt(0) === OPEN_BRACE && value.charCodeAt(value.length - 1) === CLOSE_BRACE;
}
