/**
 * The frame decoder fuzzed: random bytes and mutated valid frames, cut into random chunks. It
 * only ever throws InvocationError(malformed_frame), always returns, and never holds more than
 * the message limit.
 */
import { crc32 } from '@aws-crypto/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder } from '../../src/stream/eventstream.js';
import { InvocationError } from '../../src/targets/types.js';
import { encode } from '../helpers/eventstream-server.js';

/** A small limit, so that mutated lengths cross it often. */
const MAX = 2048;

interface Outcome {
  messages: number;
  error?: InvocationError;
  maxBuffered: number;
}

/** Feeds `bytes` cut at `cuts` (positions, any order), then ends. Anything but an InvocationError fails the test. */
function feed(bytes: Uint8Array, cuts: number[]): Outcome {
  let messages = 0;
  let maxBuffered = 0;
  const decoder = new EventStreamDecoder(() => void messages++, MAX);
  const positions = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  try {
    for (const at of [...positions, bytes.length]) {
      decoder.push(bytes.subarray(start, at));
      start = at;
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    }
    decoder.end();
  } catch (e: unknown) {
    if (!(e instanceof InvocationError)) throw e;
    return { messages, error: e, maxBuffered };
  }
  return { messages, maxBuffered };
}

function expectContained(outcome: Outcome): void {
  if (outcome.error) expect(outcome.error.kind).toBe('malformed_frame');
  expect(outcome.maxBuffered).toBeLessThanOrEqual(MAX);
}

const headerValue = fc.oneof(
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'byte' as const, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: 'short' as const, value })),
  fc.integer().map((value) => ({ type: 'integer' as const, value })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ type: 'binary' as const, value })),
  fc.string({ maxLength: 40 }).map((value) => ({ type: 'string' as const, value })),
  fc.uuid().map((value) => ({ type: 'uuid' as const, value })),
);
const message = fc.record({
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), headerValue, { maxKeys: 5 }),
  body: fc.uint8Array({ maxLength: 600 }),
});
const frames = fc.array(message, { minLength: 1, maxLength: 4 }).map((ms) => {
  const encoded = ms.map((m) => encode(m));
  const out = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
  let at = 0;
  for (const e of encoded) {
    out.set(e, at);
    at += e.length;
  }
  return { bytes: out, count: encoded.length };
});
const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** A mutation of a valid stream. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'hugeLength'; value: number; fixCrc: boolean }
  | { kind: 'headersPastEnd'; extra: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('hugeLength' as const), value: fc.integer({ min: MAX + 1, max: 0xffffffff }), fixCrc: fc.boolean() }),
  fc.record({ kind: fc.constant('headersPastEnd' as const), extra: fc.integer({ min: 1, max: 0xffff }) }),
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const fixPrelude = (): void => view.setUint32(8, crc32(out.subarray(0, 8)));
  switch (m.kind) {
    case 'flip':
      out[m.at % out.length] = (out[m.at % out.length] as number) ^ (1 << m.bit);
      return out;
    case 'truncate':
      return out.subarray(0, m.at % out.length);
    case 'hugeLength':
      view.setUint32(0, m.value);
      if (m.fixCrc) fixPrelude();
      return out;
    case 'headersPastEnd':
      view.setUint32(4, view.getUint32(0) - 16 + m.extra);
      fixPrelude();
      return out;
  }
}

describe('EventStreamDecoder fuzz', () => {
  it('random bytes in random chunks: contained', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), cuts, (bytes, c) => expectContained(feed(bytes, c))),
      { numRuns: 2000 },
    );
  });

  it('valid frames in random chunks: all decoded, nothing left over', () => {
    fc.assert(
      fc.property(frames, cuts, ({ bytes, count }, c) => {
        const outcome = feed(bytes, c);
        expect(outcome.error).toBeUndefined();
        expect(outcome.messages).toBe(count);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated frames (bit flips, truncation, huge lengths, headers past the end) in random chunks: contained, and a broken frame is never delivered', () => {
    fc.assert(
      fc.property(frames, mutation, cuts, ({ bytes, count }, m, c) => {
        const outcome = feed(mutate(bytes, m), c);
        expectContained(outcome);
        // A cut at a message boundary is a shorter valid stream; every other mutation is caught.
        if (m.kind === 'truncate') expect(outcome.error !== undefined || outcome.messages < count).toBe(true);
        if (m.kind === 'hugeLength' || m.kind === 'headersPastEnd') expect(outcome.error).toBeDefined();
        if (outcome.error) expect(outcome.messages).toBeLessThan(count);
      }),
      { numRuns: 3000 },
    );
  });
});
