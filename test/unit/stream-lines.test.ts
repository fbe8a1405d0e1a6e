import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/stream/lines.js';
import { InvocationError } from '../../src/targets/types.js';
import { splitBytes } from '../helpers/fixture-server.js';

function linesOf(chunks: readonly Uint8Array[], maxLineLength?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineLength);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('LineSplitter', () => {
  it.each([
    ['a\nb\n', ['a', 'b']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\n\nb', ['a', '', 'b']],
    ['a\r\n\r\nb\n', ['a', '', 'b']],
    ['no terminator', ['no terminator']],
    ['last\r', ['last']],
    ['a\rb\n', ['a\rb']],
    ['', []],
    ['\n', ['']],
    ['\ufeffdata: x\n', ['data: x']],
  ])('splits %j into %j', (text, expected) => {
    expect(linesOf([bytes(text)])).toEqual(expected);
  });

  it('joins a line split across chunks, and a \\r\\n split between \\r and \\n', () => {
    expect(linesOf([bytes('da'), bytes('ta: 1\r'), bytes('\n'), bytes('\r\n')])).toEqual(['data: 1', '']);
  });

  it('decodes a multi-byte UTF-8 character split at every byte', () => {
    const text = 'é€😀\nnext\n';
    const encoded = bytes(text);
    for (let a = 0; a <= encoded.length; a++) {
      for (let b = a; b <= encoded.length; b++) {
        expect(linesOf(splitBytes(encoded, [a, b]))).toEqual(['é€😀', 'next']);
      }
    }
  });

  it('gives the same lines for any split of the stream', () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n\ufeff]/.test(s));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (parts, cuts) => {
          const text = parts.map(([l, eol]) => l + eol).join('');
          const encoded = bytes(text);
          const positions = [...new Set(cuts.map((c) => c % (encoded.length + 1)))].sort((x, y) => x - y);
          expect(linesOf(splitBytes(encoded, positions))).toEqual(parts.map(([l]) => l));
        },
      ),
    );
  });

  it('throws malformed_payload/line_too_long once a line exceeds the limit, even before it ends', () => {
    const splitter = new LineSplitter(() => undefined, 8);
    splitter.push(bytes('12345678\n'));
    splitter.push(bytes('12345'));
    let caught: unknown;
    try {
      splitter.push(bytes('6789'));
    } catch (e: unknown) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvocationError);
    expect((caught as InvocationError).toJSON()).toMatchObject({ kind: 'malformed_payload', code: 'line_too_long' });
  });

  it('throws for a too-long line that arrives whole in one chunk', () => {
    expect(() => linesOf([bytes('123456789\nok\n')], 8)).toThrow(/longer than 8/);
  });
});
