import { crc32 } from '@aws-crypto/crc32';
import { Int64, type Message } from '@smithy/core/event-streams';
import { fromUtf8 } from '@smithy/core/serde';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, MAX_MESSAGE_BYTES, type EventStreamMessage } from '../../src/stream/eventstream.js';
import { InvocationError } from '../../src/targets/types.js';
import { encode, payloadPart } from '../helpers/eventstream-server.js';

/** Decodes `chunks` in order and returns the messages, or the error thrown. */
function decodeAll(chunks: Uint8Array[], max?: number): { messages: EventStreamMessage[]; error?: InvocationError } {
  const messages: EventStreamMessage[] = [];
  // Copy payloads: they may be views into a chunk.
  const decoder = new EventStreamDecoder((m) => messages.push({ headers: m.headers, payload: m.payload.slice() }), max);
  try {
    for (const chunk of chunks) decoder.push(chunk);
    decoder.end();
  } catch (e: unknown) {
    if (!(e instanceof InvocationError)) throw e;
    return { messages, error: e };
  }
  return { messages };
}

const uuid = '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9';
const allTypes: Message = {
  headers: {
    yes: { type: 'boolean', value: true },
    no: { type: 'boolean', value: false },
    b: { type: 'byte', value: -7 },
    s: { type: 'short', value: -1234 },
    i: { type: 'integer', value: -123456789 },
    l: { type: 'long', value: Int64.fromNumber(-9007199254740991) },
    bin: { type: 'binary', value: new Uint8Array([0, 255, 1]) },
    str: { type: 'string', value: 'hé 😀' },
    t: { type: 'timestamp', value: new Date(1_700_000_000_123) },
    u: { type: 'uuid', value: uuid },
  },
  body: fromUtf8('{"x":1}'),
};

const expectedHeaders = {
  yes: { type: 'boolean', value: true },
  no: { type: 'boolean', value: false },
  b: { type: 'byte', value: -7 },
  s: { type: 'short', value: -1234 },
  i: { type: 'integer', value: -123456789 },
  l: { type: 'long', value: -9007199254740991n },
  bin: { type: 'binary', value: new Uint8Array([0, 255, 1]) },
  str: { type: 'string', value: 'hé 😀' },
  t: { type: 'timestamp', value: new Date(1_700_000_000_123) },
  u: { type: 'uuid', value: uuid },
};

describe('EventStreamDecoder: valid messages', () => {
  it('decodes every header type and the payload (fixture from @smithy EventStreamCodec)', () => {
    const { messages, error } = decodeAll([encode(allTypes)]);
    expect(error).toBeUndefined();
    expect(messages).toEqual([{ headers: expectedHeaders, payload: fromUtf8('{"x":1}') }]);
  });

  it.each([
    ['no headers, no payload', { headers: {}, body: new Uint8Array(0) }],
    ['headers only', { headers: { ':message-type': { type: 'string', value: 'event' } }, body: new Uint8Array(0) }],
    ['payload only', { headers: {}, body: new Uint8Array(300).fill(7) }],
  ] as Array<[string, Message]>)('%s', (_label, message) => {
    const { messages } = decodeAll([encode(message)]);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.payload).toEqual(message.body);
  });

  it('gives the same messages however three messages are split, at every byte position and byte by byte', () => {
    const frames = [encode(allTypes), payloadPart('data: {"token":{"text":"a"}}\n\n'), payloadPart('')];
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      stream.set(f, at);
      at += f.length;
    }
    const whole = decodeAll([stream]);
    expect(whole.messages).toHaveLength(3);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    for (let a = 0; a < stream.length; a += 7) {
      for (let b = a; b <= stream.length; b += 11) {
        expect(decodeAll([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)])).toEqual(whole);
      }
    }
    expect(decodeAll([...stream].map((byte) => new Uint8Array([byte])))).toEqual(whole);
  });
});

/** A frame whose prelude says `total` and `headersLength`, with a valid prelude CRC. */
function prelude(total: number, headersLength: number): Uint8Array {
  const b = new Uint8Array(12);
  const view = new DataView(b.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLength);
  view.setUint32(8, crc32(b.subarray(0, 8)));
  return b;
}

/** A frame with the given raw header bytes and valid CRCs. */
function rawFrame(headers: number[], payload: number[] = []): Uint8Array {
  const total = 16 + headers.length + payload.length;
  const b = new Uint8Array(total);
  b.set(prelude(total, headers.length));
  b.set(headers, 12);
  b.set(payload, 12 + headers.length);
  new DataView(b.buffer).setUint32(total - 4, crc32(b.subarray(0, total - 4)));
  return b;
}

describe('EventStreamDecoder: malformed input', () => {
  const valid = payloadPart('hello');
  const flip = (at: number): Uint8Array => {
    const copy = valid.slice();
    copy[at] = (copy[at] as number) ^ 0x10;
    return copy;
  };

  it.each<[string, Uint8Array[], string]>([
    ['bad prelude CRC', [flip(9)], 'prelude_crc'],
    ['length field flipped', [flip(2)], 'prelude_crc'],
    ['bad message CRC', [flip(valid.length - 1)], 'message_crc'],
    ['payload byte flipped', [flip(valid.length - 6)], 'message_crc'],
    ['message too long (huge length field, valid prelude CRC)', [prelude(0xfffffff0, 0)], 'message_too_long'],
    ['message too short', [prelude(15, 0)], 'message_too_short'],
    ['headers longer than the message', [prelude(100, 90)], 'headers_too_long'],
    ['stream ends inside the prelude', [valid.subarray(0, 5)], 'truncated'],
    ['stream ends inside the message', [valid.subarray(0, valid.length - 1)], 'truncated'],
    ['header name past the header section', [rawFrame([10, 0x61])], 'bad_header'],
    ['string header value past the section', [rawFrame([1, 0x61, 7, 0, 9, 0x62])], 'bad_header'],
    ['unknown header type', [rawFrame([1, 0x61, 42])], 'bad_header'],
  ])('%s → malformed_frame %s', (_label, chunks, code) => {
    const { error } = decodeAll(chunks);
    expect(error?.kind).toBe('malformed_frame');
    expect(error?.code).toBe(code);
  });

  it('checks a huge length before allocating anything for it', () => {
    const decoder = new EventStreamDecoder(() => undefined);
    expect(() => decoder.push(prelude(MAX_MESSAGE_BYTES + 1, 0))).toThrow(InvocationError);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('a message at the limit is accepted, one byte over is not', () => {
    const atLimit = encode({ headers: {}, body: new Uint8Array(100 - 16) });
    expect(decodeAll([atLimit], 100).messages).toHaveLength(1);
    expect(decodeAll([atLimit], 99).error?.code).toBe('message_too_long');
  });
});

describe('crc32', () => {
  it('agrees with @aws-crypto/crc32 on random bytes and ranges', async () => {
    const { crc32: ours } = await import('../../src/stream/crc32.js');
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(ours(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
      }),
    );
  });
});
