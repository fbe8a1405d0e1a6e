import { describe, expect, it } from 'vitest';
import { EventStreamDecoder } from '../../src/stream/eventstream.js';
import type { TokenEvent } from '../../src/stream/formats/index.js';
import { createResponseDecoder, type ResponseFormat } from '../../src/stream/response.js';
import { payloadPartOf } from '../../src/stream/sagemaker-events.js';
import { decodeWholeResponse } from '../../src/stream/whole-response.js';
import { InvocationError } from '../../src/targets/types.js';
import { openaiChatPayloads, openaiCompletionPayloads, sseEvent, splitBytes } from '../helpers/fixture-server.js';
import { encode, errorMessageFrame, exceptionMessage, lmiLines, payloadPart, tgiLines } from '../helpers/eventstream-server.js';

/** Decodes `text` cut at `cuts` with `format`; returns the events, or the error thrown. */
function decode(text: string, format: ResponseFormat = 'auto', cuts: number[] = []): { events: TokenEvent[]; error?: InvocationError } {
  const events: TokenEvent[] = [];
  const decoder = createResponseDecoder(format, (e) => events.push(e));
  try {
    for (const piece of splitBytes(text, cuts)) decoder.push(piece);
    decoder.end();
  } catch (e: unknown) {
    if (!(e instanceof InvocationError)) throw e;
    return { events, error: e };
  }
  return { events };
}

const total = (events: TokenEvent[]): { tokens: number; output?: number; done: boolean } => ({
  tokens: events.reduce((n, e) => n + e.tokens, 0),
  ...(events.findLast((e) => e.usage?.outputTokens !== undefined)?.usage?.outputTokens !== undefined && {
    output: events.findLast((e) => e.usage?.outputTokens !== undefined)?.usage?.outputTokens,
  }),
  done: events.some((e) => e.done === true),
});

const texts = ['Hel', 'lo', ' wörld 😀'];
const streams: Array<[string, string, { tokens: number; output?: number; done: boolean }]> = [
  ['TGI over SSE', tgiLines(texts).join(''), { tokens: 4, output: 4, done: true }],
  ['LMI JSON lines', lmiLines(texts).join(''), { tokens: 3, output: 3, done: true }],
  ['OpenAI chat over SSE', openaiChatPayloads(texts, { promptTokens: 2, completionTokens: 5 }).map((p) => sseEvent(p)).join(''), { tokens: 3, output: 5, done: true }],
  ['OpenAI completions over SSE', openaiCompletionPayloads(texts).map((p) => sseEvent(p)).join(''), { tokens: 3, done: true }],
  ['OpenAI chunks as JSON lines', openaiChatPayloads(texts).filter((p) => p !== '[DONE]').map((p) => JSON.stringify(p) + '\n').join(''), { tokens: 3, done: false }],
  ['leading blank lines and an SSE comment', '\n\n: keep-alive\n' + tgiLines(texts).join(''), { tokens: 4, output: 4, done: true }],
];

describe('createResponseDecoder: auto-detection', () => {
  it.each(streams)('%s', (_label, text, expected) => {
    const { events, error } = decode(text);
    expect(error).toBeUndefined();
    expect(total(events)).toEqual(expected);
  });

  it.each(streams)('%s: the same events however the bytes are split (every position)', (_label, text) => {
    const whole = decode(text);
    const length = new TextEncoder().encode(text).length;
    for (let cut = 0; cut <= length; cut++) expect(decode(text, 'auto', [cut])).toEqual(whole);
  });

  it('a fixed format overrides detection', () => {
    expect(total(decode(lmiLines(texts).join(''), 'tgi').events).tokens).toBe(3);
    expect(total(decode(tgiLines(texts).join(''), 'openai').events).tokens).toBe(0);
  });

  it.each([
    ['invalid JSON line', '{"token": nope}\n', 'invalid_json'],
    ['invalid JSON in SSE', 'data: {"token": nope\n\n', 'invalid_json'],
    ['JSON lines then garbage', lmiLines(texts)[0] + 'garbage\n', 'invalid_json'],
    ['a JSON array line', '[1,2]\ndata: x\n', 'invalid_json'],
  ])('%s → malformed_payload', (_label, text, code) => {
    const { error } = decode(text);
    expect(error?.kind).toBe('malformed_payload');
    expect(error?.code).toBe(code);
  });

  it('a container error event is an error event', () => {
    const { events } = decode(sseEvent({ error: 'overloaded', error_type: 'generation' }));
    expect(events[0]?.error).toContain('overloaded');
  });
});

describe('payloadPartOf: event-stream messages of InvokeEndpointWithResponseStream', () => {
  const message = (frame: Uint8Array) => {
    let decoded: Parameters<typeof payloadPartOf>[0] | undefined;
    new EventStreamDecoder((m) => (decoded = m)).push(frame);
    if (decoded === undefined) throw new Error('no message');
    return decoded;
  };
  const thrown = (frame: Uint8Array): InvocationError => {
    try {
      payloadPartOf(message(frame));
    } catch (e: unknown) {
      if (e instanceof InvocationError) return e;
    }
    throw new Error('expected an InvocationError');
  };

  it('PayloadPart → its bytes; another event type → skipped', () => {
    expect(new TextDecoder().decode(payloadPartOf(message(payloadPart('abc'))))).toBe('abc');
    const other = encode({ headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: 'Heartbeat' } }, body: new Uint8Array(0) });
    expect(payloadPartOf(message(other))).toBeUndefined();
  });

  it.each<[string, Uint8Array, object]>([
    ['ModelStreamError', exceptionMessage('ModelStreamError', { Message: 'boom', ErrorCode: 'E1' }), { kind: 'model_stream_error', code: 'ModelStreamError', message: 'E1: boom' }],
    ['InternalStreamFailure', exceptionMessage('InternalStreamFailure', { Message: 'bad' }), { kind: 'internal_stream_failure', code: 'InternalStreamFailure', message: 'bad' }],
    ['error message', errorMessageFrame('ThrottlingException', 'slow down'), { kind: 'throttled', code: 'ThrottlingException', message: 'slow down' }],
    ['no :message-type', encode({ headers: {}, body: new Uint8Array(0) }), { kind: 'malformed_frame', code: 'missing_header' }],
    ['unknown :message-type', encode({ headers: { ':message-type': { type: 'string', value: 'weird' } }, body: new Uint8Array(0) }), { kind: 'malformed_frame', code: 'unknown_message_type' }],
  ])('%s', (_label, frame, expected) => {
    expect(thrown(frame).toJSON()).toMatchObject(expected);
  });
});

describe('decodeWholeResponse: InvokeEndpoint bodies', () => {
  const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  it.each<[string, unknown, TokenEvent]>([
    ['TGI array with details', [{ generated_text: 'x', details: { generated_tokens: 9, input_length: 3 } }], { tokens: 1, usage: { inputTokens: 3, outputTokens: 9 }, done: true }],
    ['LMI object with details', { generated_text: 'x', details: { generated_tokens: 4 } }, { tokens: 1, usage: { outputTokens: 4 }, done: true }],
    ['OpenAI usage', { choices: [], usage: { prompt_tokens: 2, completion_tokens: 6 } }, { tokens: 1, usage: { inputTokens: 2, outputTokens: 6 }, done: true }],
    ['no usage', { generated_text: 'x' }, { tokens: 1, done: true }],
    ['error', { error: 'bad input' }, { tokens: 0, error: 'bad input' }],
  ])('%s', (_label, body, expected) => {
    expect(decodeWholeResponse(bytes(body))).toEqual(expected);
  });

  it.each([['not JSON', 'oops'], ['a number', '42'], ['an empty array', '[]']])('%s → malformed_payload', (_label, body) => {
    expect(() => decodeWholeResponse(bytes(body))).toThrow(expect.objectContaining({ kind: 'malformed_payload' }));
  });
});
