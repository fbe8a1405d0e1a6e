import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/lib/clock.js';
import { createSageMakerFastInvoker, createSageMakerInvoker, type SageMakerInvokerOptions } from '../../src/targets/sagemaker.js';
import { parsePayloadTemplate } from '../../src/targets/payloads.js';
import type { InferenceRequest, Invoker } from '../../src/targets/types.js';
import { openaiChatPayloads, sseEvent, startFixtureServer, type FixtureServer, type FixtureStep } from '../helpers/fixture-server.js';
import {
  errorMessageFrame,
  errorScript,
  exceptionMessage,
  lmiLines,
  payloadPart,
  recordingObserver,
  streamScript,
  tgiLines,
  tokenTotal,
  type Recording,
} from '../helpers/eventstream-server.js';

const clock = new RealClock();
const request: InferenceRequest = { seq: 1, stage: 0, intendedMs: 0, prompt: 'Say "hi"', inputTokens: 3, maxOutputTokens: 16 };
const texts = ['Hel', 'lo', ', wörld', ' 😀', '!'];

/** A TGI stream whose SSE text is cut into PayloadParts at awkward places (inside lines, inside a UTF-8 character). */
function awkwardParts(): Uint8Array[] {
  const text = new TextEncoder().encode(tgiLines(texts).join(''));
  const cuts = [3, 17, 40, 41, 90, 91, 92, text.length - 2];
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const at of [...cuts, text.length]) {
    parts.push(payloadPart(text.subarray(start, at)));
    start = at;
  }
  return parts;
}

function corrupted(frame: Uint8Array, at: number): Uint8Array {
  const copy = frame.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}

const tgi = tgiLines(['a', 'b']);
const scripts: Record<string, FixtureStep[]> = {
  tgi: streamScript(awkwardParts(), { gapMs: 2 }),
  lmi: streamScript(lmiLines(texts)),
  openai: streamScript(openaiChatPayloads(texts, { promptTokens: 3, completionTokens: 9 }).map((p) => sseEvent(p))),
  'openai-jsonlines': streamScript(openaiChatPayloads(['x', 'y']).filter((p) => p !== '[DONE]').map((p) => JSON.stringify(p) + '\n')),
  modelStreamError: streamScript(tgi.slice(0, 1), { trailer: [exceptionMessage('ModelStreamError', { Message: 'CUDA out of memory', ErrorCode: 'E500' })] }),
  internalStreamFailure: streamScript(tgi.slice(0, 1), { trailer: [exceptionMessage('InternalStreamFailure', { Message: 'internal' })] }),
  errorFrame: streamScript(tgi.slice(0, 1), { trailer: [errorMessageFrame('ThrottlingException', 'slow down')] }),
  badMessageCrc: streamScript([payloadPart(tgi[0] as string), corrupted(payloadPart(tgi[1] as string), 20)]),
  badPreludeCrc: streamScript([payloadPart(tgi[0] as string), corrupted(payloadPart(tgi[1] as string), 9)]),
  truncated: streamScript([payloadPart(tgi[0] as string), payloadPart(tgi[1] as string).subarray(0, 30)]),
  disconnect: streamScript(tgi.slice(0, 1), { finish: 'destroy' }),
  stall: streamScript(tgi.slice(0, 1), { finish: 'hang' }),
  invalidJson: streamScript([tgi[0] as string, 'data: {"token": nope\n\n']),
  containerError: streamScript([tgi[0] as string, sseEvent({ error: 'Request failed during generation', error_type: 'generation' })]),
  empty: streamScript([]),
  validation: errorScript(400, 'ValidationError', 'Endpoint x of account y not found.'),
  noCapacity: errorScript(400, 'ValidationError', 'Inference Component has no capacity to process this request.'),
  modelError: errorScript(424, 'ModelError', 'Received server error (500) from primary', { OriginalStatusCode: 500 }),
  modelNotReady: errorScript(429, 'ModelNotReadyException', 'Model not ready'),
  throttling: errorScript(400, 'ThrottlingException', 'Rate exceeded'),
  internalFailure: errorScript(500, 'InternalFailure', 'internal'),
  serviceUnavailable: errorScript(503, 'ServiceUnavailable', 'unavailable'),
  internalDependency: errorScript(530, 'InternalDependencyException', 'dependency'),
  whole: [{ status: 200, headers: { 'content-type': 'application/json' } }, { write: JSON.stringify([{ generated_text: 'hi', details: { generated_tokens: 7 } }]) }, 'end'],
  'whole-openai': [{ status: 200, headers: { 'content-type': 'application/json' } }, { write: JSON.stringify({ choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 4, completion_tokens: 5 } }) }, 'end'],
  'whole-bad': [{ status: 200, headers: { 'content-type': 'application/json' } }, { write: 'not json' }, 'end'],
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer((req) => scripts[req.path.split('/')[2] ?? ''] ?? errorScript(400, 'ValidationError', `Endpoint ${req.path} not found`));
});
afterAll(async () => {
  await server.close();
});

type Factory = (opts: SageMakerInvokerOptions) => Invoker;
const CLIENTS: Array<[string, Factory]> = [
  ['sdk', createSageMakerInvoker],
  ['fast', createSageMakerFastInvoker],
];

describe.each(CLIENTS)('SageMaker invoker (%s)', (_name, create) => {
  const invokers: Invoker[] = [];
  afterAll(async () => {
    await Promise.all(invokers.map((i) => i.close()));
  });

  function invoker(options: Partial<SageMakerInvokerOptions> = {}): Invoker {
    const inv = create({
      endpointName: 'tgi',
      endpointUrl: server.url,
      region: 'us-west-2',
      stream: true,
      payload: { format: 'tgi' },
      responseFormat: 'auto',
      clock,
      maxConnections: 8,
      requestTimeoutMs: 5000,
      stallTimeoutMs: 1000,
      ...options,
    });
    invokers.push(inv);
    return inv;
  }

  async function invoke(endpointName: string, options: Partial<SageMakerInvokerOptions> = {}): Promise<Recording> {
    const { obs, rec } = recordingObserver();
    await invoker({ endpointName, ...options }).invoke(request, obs, new AbortController().signal);
    return rec;
  }

  it('TGI over SSE split across PayloadParts anywhere: every token, usage from details, ordered instants, SigV4 and target headers', async () => {
    const before = server.requests.length;
    const rec = await invoke('tgi', { inferenceComponent: 'ic-1', targetVariant: 'AllTraffic', customAttributes: 'k=v' });
    expect(rec.error).toBeUndefined();
    expect(rec.calls[0]).toBe('sent');
    expect(rec.calls[1]).toBe('firstByte');
    expect(rec.calls.at(-1)).toBe('end');
    expect(rec.tokens.reduce((s, t) => s + t.count, 0)).toBe(texts.length + 1);
    expect(rec.usage).toEqual({ inputTokens: 3, outputTokens: texts.length + 1 });
    const instants = [rec.sentMs, rec.firstByteMs, ...rec.tokens.map((t) => t.tMs), rec.endMs] as number[];
    for (let i = 1; i < instants.length; i++) expect(instants[i]).toBeGreaterThanOrEqual(instants[i - 1] as number);

    const sent = server.requests[before];
    expect(sent?.path).toBe('/endpoints/tgi/invocations-response-stream');
    expect(sent?.headers['x-amzn-sagemaker-inference-component']).toBe('ic-1');
    expect(sent?.headers['x-amzn-sagemaker-target-variant']).toBe('AllTraffic');
    expect(sent?.headers['x-amzn-sagemaker-custom-attributes']).toBe('k=v');
    expect(sent?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=[\w-]+\/\d{8}\/us-west-2\/sagemaker\/aws4_request/);
    expect(JSON.parse(sent?.body ?? '')).toEqual({ inputs: 'Say "hi"', parameters: { max_new_tokens: 16, details: true }, stream: true });
  });

  it.each([
    ['lmi', 'lmi', texts.length, texts.length],
    ['openai', 'openai', texts.length, 9],
    ['openai over JSON lines', 'openai-jsonlines', 2, 2],
  ])('%s is detected from the first bytes', async (_label, endpoint, events, total) => {
    const rec = await invoke(endpoint, { payload: { format: endpoint === 'lmi' ? 'lmi' : 'openai' } });
    expect(rec.error).toBeUndefined();
    expect(rec.tokens.reduce((s, t) => s + t.count, 0)).toBe(events);
    expect(tokenTotal(rec)).toBe(total);
  });

  it('a response format override is obeyed (openai read as tgi counts nothing, then fails on [DONE])', async () => {
    const rec = await invoke('openai', { responseFormat: 'tgi' });
    expect(rec.tokens).toEqual([]);
    expect(rec.error?.err.kind).toBe('malformed_payload');
  });

  it('a template payload sends the user body', async () => {
    const before = server.requests.length;
    const template = parsePayloadTemplate('t.json', '{"prompt": "{{prompt}}", "n": {{max_tokens}}}');
    await invoke('tgi', { payload: { format: 'template', template } });
    expect(JSON.parse(server.requests[before]?.body ?? '')).toEqual({ prompt: 'Say "hi"', n: 16 });
  });

  it.each<[string, string, string | undefined, number]>([
    ['modelStreamError', 'model_stream_error', 'ModelStreamError', 1],
    ['internalStreamFailure', 'internal_stream_failure', 'InternalStreamFailure', 1],
    ['errorFrame', 'throttled', 'ThrottlingException', 1],
    ['badMessageCrc', 'malformed_frame', undefined, 1],
    ['badPreludeCrc', 'malformed_frame', undefined, 1],
    ['truncated', 'malformed_frame', undefined, 1],
    ['disconnect', 'connection_reset', undefined, 1],
    ['stall', 'stream_stalled', 'stall_timeout', 1],
    ['invalidJson', 'malformed_payload', 'invalid_json', 1],
    ['containerError', 'model_stream_error', 'container_error', 1],
    ['empty', 'malformed_payload', 'empty_stream', 0],
  ])('mid-stream failure %s → %s, tokens before it kept', async (endpoint, kind, code, tokens) => {
    const rec = await invoke(endpoint, { stallTimeoutMs: 300 });
    expect(rec.error?.err.kind).toBe(kind);
    if (code !== undefined) expect(rec.error?.err.code).toBe(code);
    expect(rec.tokens.reduce((s, t) => s + t.count, 0)).toBe(tokens);
    expect(rec.calls.filter((c) => c === 'end' || c === 'error')).toEqual(['error']);
  });

  it('ModelStreamError keeps its message and error code', async () => {
    const rec = await invoke('modelStreamError');
    expect(rec.error?.err.message).toContain('CUDA out of memory');
    expect(rec.error?.err.message).toContain('E500');
  });

  it.each<[string, string, string, number]>([
    ['validation', 'validation', 'ValidationError', 400],
    ['noCapacity', 'validation', 'NoCapacity', 400],
    ['modelError', 'model_error', 'ModelError', 424],
    ['modelNotReady', 'model_not_ready', 'ModelNotReadyException', 429],
    ['throttling', 'throttled', 'ThrottlingException', 400],
    ['internalFailure', 'internal_failure', 'InternalFailure', 500],
    ['serviceUnavailable', 'service_unavailable', 'ServiceUnavailable', 503],
    ['internalDependency', 'internal_dependency', 'InternalDependencyException', 530],
  ])('error answer %s → %s (%s, HTTP %i)', async (endpoint, kind, code, status) => {
    const rec = await invoke(endpoint);
    expect(rec.error?.err).toMatchObject({ kind, code, httpStatus: status });
    expect(rec.calls).toEqual(['sent', 'error']);
  });

  it('connection refused → connect', async () => {
    const rec = await invoke('tgi', { endpointUrl: 'http://127.0.0.1:1' });
    expect(rec.error?.err.kind).toBe('connect');
  });

  it('request timeout → timeout', async () => {
    const rec = await invoke('stall', { requestTimeoutMs: 200, stallTimeoutMs: 5000 });
    expect(rec.error?.err.kind).toBe('timeout');
  });

  it('cancel by the caller → client/cancelled, promptly', async () => {
    const { obs, rec } = recordingObserver();
    const controller = new AbortController();
    const done = invoker({ endpointName: 'stall', stallTimeoutMs: 5000 }).invoke(request, obs, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await done;
    expect(rec.error?.err).toMatchObject({ kind: 'client', code: 'cancelled' });
  });

  it('non-streaming: InvokeEndpoint, TTFT = e2e, one event, usage from the body', async () => {
    const before = server.requests.length;
    const rec = await invoke('whole', { stream: false });
    expect(server.requests[before]?.path).toBe('/endpoints/whole/invocations');
    expect(JSON.parse(server.requests[before]?.body ?? '').stream).toBe(false);
    expect(rec.calls).toEqual(['sent', 'firstByte', 'tokens', 'usage', 'end']);
    expect(rec.tokens[0]?.tMs).toBe(rec.endMs);
    expect(tokenTotal(rec)).toBe(7);
    const openai = await invoke('whole-openai', { stream: false, payload: { format: 'openai' } });
    expect(openai.usage).toEqual({ inputTokens: 4, outputTokens: 5 });
    const bad = await invoke('whole-bad', { stream: false });
    expect(bad.error?.err.kind).toBe('malformed_payload');
  });

  it('no hidden retries: a 500 reaches the server exactly once', async () => {
    const before = server.requests.length;
    const rec = await invoke('internalFailure');
    expect(rec.error?.err.kind).toBe('internal_failure');
    expect(server.requests.length - before).toBe(1);
  });
});
