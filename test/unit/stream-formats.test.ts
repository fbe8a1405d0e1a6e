import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseDecoder } from '../../src/stream/decode.js';
import { STREAM_FORMATS, type TokenEvent } from '../../src/stream/formats/index.js';
import { InvocationError } from '../../src/targets/types.js';
import { openaiChatPayloads, openaiCompletionPayloads, sseEvent, splitBytes, tgiPayloads } from '../helpers/fixture-server.js';

const { openai, tgi } = STREAM_FORMATS;

describe('openai format', () => {
  it.each<[string, string, TokenEvent]>([
    ['chat content', '{"choices":[{"index":0,"delta":{"content":"Hi"}}]}', { tokens: 1 }],
    ['chat role only', '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}', { tokens: 0 }],
    ['chat null content', '{"choices":[{"index":0,"delta":{"content":null}}]}', { tokens: 0 }],
    ['chat reasoning', '{"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}', { tokens: 1 }],
    ['chat finish', '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}', { tokens: 0 }],
    ['completions text', '{"choices":[{"index":0,"text":" world"}]}', { tokens: 1 }],
    ['completions empty text', '{"choices":[{"index":0,"text":""}]}', { tokens: 0 }],
    ['two choices', '{"choices":[{"index":0,"text":"a"},{"index":1,"text":"b"}]}', { tokens: 2 }],
    [
      'usage chunk',
      '{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}',
      { tokens: 0, usage: { inputTokens: 12, outputTokens: 34 } },
    ],
    [
      'content and usage together (vLLM continuous usage)',
      '{"choices":[{"delta":{"content":"x"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}',
      { tokens: 1, usage: { inputTokens: 3, outputTokens: 1 } },
    ],
    ['usage without counts', '{"choices":[],"usage":{"prompt_tokens":"many"}}', { tokens: 0 }],
    ['done', '[DONE]', { tokens: 0, done: true }],
    ['error object', '{"error":{"message":"out of memory","type":"server_error"}}', { tokens: 0, error: 'out of memory' }],
    ['error string', '{"error":"boom"}', { tokens: 0, error: 'boom' }],
    ['vLLM error', '{"object":"error","message":"bad things","type":"BadRequestError","code":400}', { tokens: 0, error: 'bad things' }],
    ['no choices', '{"id":"x"}', { tokens: 0 }],
  ])('%s', (_name, payload, expected) => {
    expect(openai.decode(payload)).toEqual(expected);
  });
});

describe('tgi format', () => {
  it.each<[string, string, TokenEvent]>([
    ['token', '{"index":1,"token":{"id":5,"text":"Hi","logprob":-1,"special":false},"generated_text":null,"details":null}', { tokens: 1 }],
    ['empty text token counts', '{"token":{"id":5,"text":"","special":false},"generated_text":null}', { tokens: 1 }],
    [
      'final special token with details',
      '{"token":{"id":2,"text":"</s>","special":true},"generated_text":"Hi","details":{"finish_reason":"eos_token","generated_tokens":2,"seed":null}}',
      { tokens: 1, done: true, usage: { outputTokens: 2 } },
    ],
    [
      'details with input_length',
      '{"token":{"id":2,"text":"</s>","special":true},"generated_text":"","details":{"generated_tokens":1,"input_length":7}}',
      { tokens: 1, done: true, usage: { inputTokens: 7, outputTokens: 1 } },
    ],
    ['final without details', '{"token":{"id":2,"text":"!","special":false},"generated_text":"!"}', { tokens: 1, done: true }],
    ['error event', '{"error":"Request failed during generation: CUDA OOM","error_type":"generation"}', { tokens: 0, error: 'Request failed during generation: CUDA OOM (generation)' }],
  ])('%s', (_name, payload, expected) => {
    expect(tgi.decode(payload)).toEqual(expected);
  });
});

describe.each(Object.entries(STREAM_FORMATS))('%s format, invalid payloads', (_name, format) => {
  it.each([
    ['invalid JSON', '{"choices":[', 'invalid_json'],
    ['not an object', '[1,2]', 'not_an_object'],
    ['a bare string', '"hi"', 'not_an_object'],
  ])('%s → malformed_payload', (_what, payload, code) => {
    let caught: unknown;
    try {
      format.decode(payload);
    } catch (e: unknown) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvocationError);
    expect((caught as InvocationError).toJSON()).toMatchObject({ kind: 'malformed_payload', code });
  });
});

function eventsOf(format: keyof typeof STREAM_FORMATS, chunks: readonly Uint8Array[]): TokenEvent[] {
  const events: TokenEvent[] = [];
  const decoder = createSseDecoder(STREAM_FORMATS[format], (e) => events.push(e));
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return events;
}

const texts = ['Hel', 'lo', ', wörld', ' 😀', '\n', '€'];
const streams = {
  'openai chat': { format: 'openai', body: openaiChatPayloads(texts, { promptTokens: 5, completionTokens: 6 }).map((p) => sseEvent(p)).join('') },
  'openai completions, \\r\\n': {
    format: 'openai',
    body: openaiCompletionPayloads(texts, { promptTokens: 5, completionTokens: 6 }).map((p) => sseEvent(p, { eol: '\r\n' })).join(''),
  },
  'tgi, no blank lines': { format: 'tgi', body: tgiPayloads(texts, 5).map((p) => sseEvent(p, { noBlankLines: true })).join('') },
} as const;

describe.each(Object.entries(streams))('whole stream: %s', (_name, { format, body }) => {
  const whole = eventsOf(format, [new TextEncoder().encode(body)]);

  it('decodes to the expected token events', () => {
    const tokens = whole.reduce((n, e) => n + e.tokens, 0);
    const usage = whole.find((e) => e.usage)?.usage;
    if (format === 'openai') {
      expect(tokens).toBe(texts.length);
      expect(usage).toEqual({ inputTokens: 5, outputTokens: 6 });
      expect(whole.at(-1)).toEqual({ tokens: 0, done: true });
    } else {
      expect(tokens).toBe(texts.length + 1);
      expect(usage).toEqual({ inputTokens: 5, outputTokens: texts.length + 1 });
      expect(whole.at(-1)?.done).toBe(true);
    }
  });

  it('gives the same events when split at every byte position', () => {
    const encoded = new TextEncoder().encode(body);
    for (let at = 0; at <= encoded.length; at++) expect(eventsOf(format, splitBytes(encoded, [at]))).toEqual(whole);
  });

  it('gives the same events for any split into many chunks', () => {
    const encoded = new TextEncoder().encode(body);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: encoded.length }), { maxLength: 40 }), (cuts) => {
        expect(eventsOf(format, splitBytes(encoded, [...cuts].sort((a, b) => a - b)))).toEqual(whole);
      }),
    );
  });
});
