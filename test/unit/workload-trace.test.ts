/** Trace files: formats, normalization, errors. */
import { describe, expect, test } from 'vitest';
import { parseTrace } from '../../src/workload/trace.js';

describe('parseTrace', () => {
  test('relative seconds, with a comment line and quoted header cells', () => {
    const t = parseTrace('t.csv', '# recorded 2024-05-01\n"timestamp","input_tokens","output_tokens"\n5.5,10,1\n6,20,2\n');
    expect([...t.offsetsMs]).toEqual([0, 500]);
    expect([...t.inputTokens]).toEqual([10, 20]);
  });

  test('milliseconds, sorted stably', () => {
    const t = parseTrace('t.csv', 'timestamp,input_tokens,output_tokens\n2000,1,1\n1000,2,2\n2000,3,3\n', 'ms');
    expect([...t.offsetsMs]).toEqual([0, 1000, 1000]);
    expect([...t.inputTokens]).toEqual([2, 1, 3]);
  });

  test('ISO dates in JSONL', () => {
    const t = parseTrace(
      't.jsonl',
      '{"timestamp":"2024-01-01T00:00:01Z","input_tokens":1,"output_tokens":1}\n{"timestamp":"2024-01-01T00:00:03.5Z","input_tokens":1,"output_tokens":1}\n',
      's',
    );
    expect([...t.offsetsMs]).toEqual([0, 2500]);
  });

  test('errors name the file and line', () => {
    expect(() => parseTrace('t.csv', 'timestamp,input_tokens,output_tokens\n1,1,1\nsoon,1,1\n', 's')).toThrow(
      't.csv:3: column "timestamp" must be a number (s) or an ISO date, got "soon"',
    );
    expect(() => parseTrace('t.csv', 'timestamp,input_tokens,output_tokens\n', 's')).toThrow('t.csv: the trace has no rows');
    expect(() => parseTrace('t.csv', '', 's')).toThrow('t.csv: the file is empty');
  });
});
