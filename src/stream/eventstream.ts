/**
 * Bytes → AWS event-stream messages (`application/vnd.amazon.eventstream`), incrementally.
 *
 * A message: prelude (u32 BE total length, u32 BE headers length, u32 CRC32 of those 8 bytes),
 * headers, payload, u32 CRC32 of everything before it. A header: u8 name length, name, u8 type,
 * value (0/1 bool true/false, 2 byte, 3 short, 4 int, 5 long, 6 bytes with u16 length,
 * 7 string with u16 length, 8 timestamp as i64 ms, 9 uuid of 16 bytes).
 *
 * Memory stays bounded by `maxMessageBytes`: a prelude is checked (CRC, lengths) before anything
 * is allocated for its message, so a corrupt or hostile length field costs nothing. A message
 * that arrives whole inside one chunk is decoded in place, without a copy (the common case for
 * small PayloadPart events); only a message split across chunks is assembled in a buffer of its
 * exact length. Every failure is an `InvocationError` of kind `malformed_frame`; after one, the
 * decoder must not be fed again.
 */
import { InvocationError } from '../targets/types.js';
import { crc32 } from './crc32.js';

/** The longest message accepted: AWS's own event-stream limit, 16 MiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
/** Prelude and message CRC: a message with no headers and no payload. */
const MIN_MESSAGE_BYTES = PRELUDE_BYTES + CRC_BYTES;

/** A header value, tagged with its wire type (the shape @smithy's EventStreamCodec uses). */
export type HeaderValue =
  | { type: 'boolean'; value: boolean }
  | { type: 'byte' | 'short' | 'integer'; value: number }
  | { type: 'long'; value: bigint }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

/** One decoded message. `payload` may be a view into the chunk it arrived in: use it before the next push. */
export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

function malformed(code: string, message: string): InvocationError {
  return new InvocationError({ kind: 'malformed_frame', code, message: `event stream: ${message}` });
}

/** Longest header text decoded by the ASCII fast path; longer or non-ASCII text goes through TextDecoder. */
const SHORT_TEXT = 64;

/**
 * Recently decoded short header texts, by a hash of their length and a few bytes. Every event of a
 * stream repeats the same six (`:event-type`, `PayloadPart`, …): comparing bytes with a cached
 * string costs no allocation, where decoding makes a new string per header per message.
 */
const interned: Array<string | undefined> = new Array<string | undefined>(256).fill(undefined);

/** UTF-8 text of `m[start..end)`, interned when short ASCII. */
function text(m: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > SHORT_TEXT) return utf8.decode(m.subarray(start, end));
  const slot = (length * 31 + (m[start] as number) * 7 + (m[start + (length >> 1)] as number) * 3 + (m[end - 1] as number)) & 0xff;
  const cached = interned[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = cached.charCodeAt(i) === m[start + i];
    if (same) return cached;
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const c = m[i] as number;
    if (c >= 0x80) return utf8.decode(m.subarray(start, end));
    s += String.fromCharCode(c);
  }
  interned[slot] = s;
  return s;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))) >>> 0;
}

/**
 * Checks a prelude at `b[at..at+12)` and returns the message's total length.
 * @throws InvocationError(malformed_frame) for a bad CRC or impossible lengths.
 */
function checkPrelude(b: Uint8Array, at: number, maxMessageBytes: number): number {
  const total = u32(b, at);
  const headersLength = u32(b, at + 4);
  const expected = u32(b, at + 8);
  const actual = crc32(b, at, at + 8);
  if (expected !== actual) throw malformed('prelude_crc', `prelude CRC ${expected} does not match the computed ${actual}`);
  if (total < MIN_MESSAGE_BYTES) throw malformed('message_too_short', `message length ${total} is below the minimum ${MIN_MESSAGE_BYTES}`);
  if (total > maxMessageBytes) throw malformed('message_too_long', `message length ${total} exceeds the limit of ${maxMessageBytes} bytes`);
  if (headersLength > total - MIN_MESSAGE_BYTES) {
    throw malformed('headers_too_long', `headers length ${headersLength} does not fit in a message of ${total} bytes`);
  }
  return total;
}

/** Decodes the whole message at `m[start..start+total)` (prelude already checked). */
function decodeMessage(m: Uint8Array, start: number, total: number): EventStreamMessage {
  const crcAt = start + total - CRC_BYTES;
  const expected = u32(m, crcAt);
  const actual = crc32(m, start, crcAt);
  if (expected !== actual) throw malformed('message_crc', `message CRC ${expected} does not match the computed ${actual}`);
  const headersStart = start + PRELUDE_BYTES;
  const headersEnd = headersStart + u32(m, start + 4);
  return {
    headers: decodeHeaders(m, headersStart, headersEnd),
    payload: new Uint8Array(m.buffer, m.byteOffset + headersEnd, crcAt - headersEnd),
  };
}

function need(at: number, n: number, end: number): void {
  if (at + n > end) throw malformed('bad_header', 'header runs past the end of the header section');
}

function decodeHeaders(m: Uint8Array, start: number, end: number): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  let at = start;
  while (at < end) {
    const nameLength = m[at] as number;
    need(at + 1, nameLength + 1, end);
    const name = text(m, at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = m[at++] as number;
    let value: HeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = { type: 'boolean', value: type === 0 };
        break;
      case 2:
        need(at, 1, end);
        value = { type: 'byte', value: ((m[at] as number) << 24) >> 24 };
        at += 1;
        break;
      case 3:
        need(at, 2, end);
        value = { type: 'short', value: ((((m[at] as number) << 8) | (m[at + 1] as number)) << 16) >> 16 };
        at += 2;
        break;
      case 4:
        need(at, 4, end);
        value = { type: 'integer', value: u32(m, at) | 0 };
        at += 4;
        break;
      case 5:
      case 8: {
        need(at, 8, end);
        const n = BigInt.asIntN(64, (BigInt(u32(m, at)) << 32n) | BigInt(u32(m, at + 4)));
        value = type === 5 ? { type: 'long', value: n } : { type: 'timestamp', value: new Date(Number(n)) };
        at += 8;
        break;
      }
      case 6:
      case 7: {
        need(at, 2, end);
        const length = ((m[at] as number) << 8) | (m[at + 1] as number);
        need(at + 2, length, end);
        value = type === 6 ? { type: 'binary', value: m.subarray(at + 2, at + 2 + length) } : { type: 'string', value: text(m, at + 2, at + 2 + length) };
        at += 2 + length;
        break;
      }
      case 9: {
        need(at, 16, end);
        const hex = Buffer.from(m.buffer, m.byteOffset + at, 16).toString('hex');
        value = { type: 'uuid', value: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
        at += 16;
        break;
      }
      default:
        throw malformed('bad_header', `header '${name}' has unknown type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * Splits a byte stream into event-stream messages. Feed chunks with `push`, then call `end`
 * once; `onMessage` runs synchronously for every complete message.
 */
export class EventStreamDecoder {
  /** The prelude of a message split across chunks, until its 12 bytes are in. */
  private readonly prelude = new Uint8Array(PRELUDE_BYTES);
  private preludeFill = 0;
  /** A message split across chunks, allocated at its exact length once its prelude checked out. */
  private message: Uint8Array | undefined;
  private messageFill = 0;

  constructor(
    private readonly onMessage: (message: EventStreamMessage) => void,
    private readonly maxMessageBytes: number = MAX_MESSAGE_BYTES,
  ) {}

  /** Bytes held for a message not yet complete; never more than `maxMessageBytes`. */
  get bufferedBytes(): number {
    return this.message === undefined ? this.preludeFill : this.messageFill;
  }

  /** Feeds one chunk. @throws InvocationError(malformed_frame) */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.message !== undefined) {
        at = this.fillMessage(chunk, at);
      } else if (this.preludeFill > 0 || chunk.length - at < PRELUDE_BYTES) {
        at = this.fillPrelude(chunk, at);
      } else {
        const total = checkPrelude(chunk, at, this.maxMessageBytes);
        if (chunk.length - at >= total) {
          this.onMessage(decodeMessage(chunk, at, total));
          at += total;
        } else {
          this.message = new Uint8Array(total);
          this.message.set(chunk.subarray(at));
          this.messageFill = chunk.length - at;
          at = chunk.length;
        }
      }
    }
  }

  /** Ends the stream. @throws InvocationError(malformed_frame, code 'truncated') when it stops inside a message. */
  end(): void {
    if (this.message !== undefined || this.preludeFill > 0) {
      const expected = this.message === undefined ? 'its prelude' : `${this.message.length} bytes`;
      throw malformed('truncated', `stream ended inside a message (${this.bufferedBytes} bytes of ${expected} received)`);
    }
  }

  private fillPrelude(chunk: Uint8Array, at: number): number {
    const n = Math.min(PRELUDE_BYTES - this.preludeFill, chunk.length - at);
    this.prelude.set(chunk.subarray(at, at + n), this.preludeFill);
    this.preludeFill += n;
    if (this.preludeFill === PRELUDE_BYTES) {
      const total = checkPrelude(this.prelude, 0, this.maxMessageBytes);
      this.message = new Uint8Array(total);
      this.message.set(this.prelude);
      this.messageFill = PRELUDE_BYTES;
      this.preludeFill = 0;
    }
    return at + n;
  }

  private fillMessage(chunk: Uint8Array, at: number): number {
    const message = this.message as Uint8Array;
    const n = Math.min(message.length - this.messageFill, chunk.length - at);
    message.set(chunk.subarray(at, at + n), this.messageFill);
    this.messageFill += n;
    if (this.messageFill === message.length) {
      this.message = undefined;
      this.messageFill = 0;
      this.onMessage(decodeMessage(message, 0, message.length));
    }
    return at + n;
  }
}
