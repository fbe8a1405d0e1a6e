import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/stream/sse.js';

function payloadsOf(lines: readonly string[]): string[] {
  const out: string[] = [];
  const parser = new SseParser((data) => out.push(data));
  for (const line of lines) parser.line(line);
  parser.end();
  return out;
}

describe('SseParser', () => {
  it.each<[string, string[], string[]]>([
    ['one event', ['data: hello', ''], ['hello']],
    ['no space after the colon', ['data:hello', ''], ['hello']],
    ['only one leading space stripped', ['data:  two', ''], [' two']],
    ['multi-line data joined with \\n', ['data: a', 'data: b', ''], ['a\nb']],
    ['comments ignored', [': keep-alive', 'data: x', ': ping', ''], ['x']],
    ['other fields ignored', ['event: message', 'id: 7', 'retry: 10', 'data: x', ''], ['x']],
    ['a field without a colon is a field name', ['data', ''], ['']],
    ['empty data is an event', ['data:', ''], ['']],
    ['no data, no event', ['event: ping', ''], []],
    ['blank lines alone dispatch nothing', ['', '', ''], []],
    ['pending event flushed at end', ['data: [DONE]'], ['[DONE]']],
    ['single-line JSON objects dispatched at once', ['data: {"a":1}', 'data: {"b":2}', ''], ['{"a":1}', '{"b":2}']],
    ['JSON split over data lines still joins', ['data: {"a":', 'data: 1}', ''], ['{"a":\n1}']],
    ['an object after a pending value joins it', ['data: x', 'data: {"a":1}', ''], ['x\n{"a":1}']],
  ])('%s', (_name, lines, expected) => {
    expect(payloadsOf(lines)).toEqual(expected);
  });

  it('dispatches each JSON object as its line arrives, without waiting for the blank line', () => {
    const out: string[] = [];
    const parser = new SseParser((data) => out.push(data));
    parser.line('data: {"n":1}');
    expect(out).toEqual(['{"n":1}']);
    parser.line('data: {"n":2}');
    expect(out).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('yields the same payloads with or without blank lines between single-line JSON events', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 6 }), (objects) => {
        const json = objects.map((o) => JSON.stringify(o));
        const withBlank = json.flatMap((j) => [`data: ${j}`, '']);
        const without = json.map((j) => `data:${j}`);
        expect(payloadsOf(withBlank)).toEqual(json);
        expect(payloadsOf(without)).toEqual(json);
      }),
    );
  });
});
