import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/lib/clock.js';
import { createHttpInvoker, type HttpInvokerOptions } from '../../src/targets/http.js';
import type { InferenceRequest, Invoker, RequestError, StreamObserver } from '../../src/targets/types.js';
import {
  openaiChatPayloads,
  openaiCompletionPayloads,
  splitScript,
  sseEvent,
  sseScript,
  startFixtureServer,
  tgiPayloads,
  type FixtureServer,
} from '../helpers/fixture-server.js';

/** Everything an observer was told, in order. */
interface Recording {
  sentMs?: number;
  firstByteMs?: number;
  tokens: Array<{ tMs: number; count: number }>;
  usage?: { inputTokens?: number; outputTokens?: number };
  endMs?: number;
  error?: { tMs: number; err: RequestError };
  calls: string[];
}

function recordingObserver(): { obs: StreamObserver; rec: Recording } {
  const rec: Recording = { tokens: [], calls: [] };
  const obs: StreamObserver = {
    onSent: (tMs) => void (rec.calls.push('sent'), (rec.sentMs = tMs)),
    onFirstByte: (tMs) => void (rec.calls.push('firstByte'), (rec.firstByteMs = tMs)),
    onTokens: (tMs, count) => void (rec.calls.push('tokens'), rec.tokens.push({ tMs, count })),
    onUsage: (usage) => void (rec.calls.push('usage'), (rec.usage = usage)),
    onEnd: (tMs) => void (rec.calls.push('end'), (rec.endMs = tMs)),
    onError: (tMs, err) => void (rec.calls.push('error'), (rec.error = { tMs, err: err.toJSON() })),
  };
  return { obs, rec };
}

const request: InferenceRequest = { seq: 1, stage: 0, intendedMs: 0, prompt: 'Say hi', inputTokens: 3, maxOutputTokens: 16 };

const texts = ['Hel', 'lo', ', wörld', ' 😀', '!'];
const clock = new RealClock();
let server: FixtureServer | undefined;
let invoker: Invoker | undefined;

afterEach(async () => {
  await invoker?.close();
  await server?.close();
  invoker = undefined;
  server = undefined;
});

async function setUp(script: Parameters<typeof startFixtureServer>[0], options: Partial<HttpInvokerOptions> = {}): Promise<Invoker> {
  server = await startFixtureServer(script);
  invoker = createHttpInvoker({ baseUrl: server.url, api: 'openai-chat', clock, maxConnections: 8, requestTimeoutMs: 5000, ...options });
  return invoker;
}

async function invokeOnce(inv: Invoker, signal = new AbortController().signal): Promise<Recording> {
  const { obs, rec } = recordingObserver();
  await inv.invoke(request, obs, signal);
  return rec;
}

/** Instants come in order: sent ≤ first byte ≤ each token ≤ end. */
function expectOrdered(rec: Recording): void {
  const instants = [rec.sentMs, rec.firstByteMs, ...rec.tokens.map((t) => t.tMs), rec.endMs ?? rec.error?.tMs];
  expect(instants.every((t) => t !== undefined)).toBe(true);
  const defined = instants as number[];
  for (let i = 1; i < defined.length; i++) expect(defined[i]).toBeGreaterThanOrEqual(defined[i - 1] as number);
}

describe('createHttpInvoker: a streamed request per API', () => {
  it('openai-chat: standard body, one onTokens per content chunk, usage from the final chunk, ordered instants', async () => {
    const gapMs = 25;
    const inv = await setUp(sseScript(openaiChatPayloads(texts, { promptTokens: 3, completionTokens: 7 }), { gapMs }), { model: 'm1' });
    const rec = await invokeOnce(inv);

    expect(server?.requests[0]?.path).toBe('/v1/chat/completions');
    expect(server?.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(server?.requests[0]?.body ?? '')).toEqual({
      model: 'm1',
      messages: [{ role: 'user', content: 'Say hi' }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(rec.error).toBeUndefined();
    expect(rec.tokens.map((t) => t.count)).toEqual([1, 1, 1, 1, 1]);
    expect(rec.usage).toEqual({ inputTokens: 3, outputTokens: 7 });
    expect(rec.calls.at(-1)).toBe('end');
    expectOrdered(rec);
    // Plausible: events were written gapMs apart, so the tokens arrive about that far apart.
    const tokenTimes = rec.tokens.map((t) => t.tMs);
    for (let i = 1; i < tokenTimes.length; i++) expect((tokenTimes[i] as number) - (tokenTimes[i - 1] as number)).toBeGreaterThan(gapMs * 0.6);
    expect((rec.endMs as number) - (rec.sentMs as number)).toBeGreaterThan(gapMs * (openaiChatPayloads(texts).length - 1) * 0.8);
    expect((rec.endMs as number) - (rec.sentMs as number)).toBeLessThan(3000);
  });

  it('openai-completions: prompt body, model omitted when not given, counted tokens when no usage', async () => {
    const inv = await setUp(sseScript(openaiCompletionPayloads(texts)), { api: 'openai-completions' });
    const rec = await invokeOnce(inv);

    expect(server?.requests[0]?.path).toBe('/v1/completions');
    expect(JSON.parse(server?.requests[0]?.body ?? '')).toEqual({
      prompt: 'Say hi',
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(rec.tokens.reduce((n, t) => n + t.count, 0)).toBe(texts.length);
    expect(rec.usage).toBeUndefined();
    expect(rec.calls.at(-1)).toBe('end');
    expectOrdered(rec);
  });

  it('tgi: /generate_stream with details, every token event counts (special included), usage from details', async () => {
    const inv = await setUp(sseScript(tgiPayloads(texts), { gapMs: 5 }), { api: 'tgi' });
    const rec = await invokeOnce(inv);

    expect(server?.requests[0]?.path).toBe('/generate_stream');
    expect(JSON.parse(server?.requests[0]?.body ?? '')).toEqual({
      inputs: 'Say hi',
      parameters: { max_new_tokens: 16, details: true },
      stream: true,
    });
    expect(rec.tokens.reduce((n, t) => n + t.count, 0)).toBe(texts.length + 1);
    expect(rec.usage).toEqual({ outputTokens: texts.length + 1 });
    expect(rec.calls.at(-1)).toBe('end');
    expectOrdered(rec);
  });

  it('tgi without blank lines between events: every token is still dated when it arrives', async () => {
    const gapMs = 30;
    const inv = await setUp(sseScript(tgiPayloads(['a', 'b']), { gapMs, noBlankLines: true }), { api: 'tgi' });
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(3);
    expect((rec.tokens[1]?.tMs as number) - (rec.tokens[0]?.tMs as number)).toBeGreaterThan(gapMs * 0.6);
    expect(rec.calls.at(-1)).toBe('end');
  });

  it('decodes a body split inside lines and inside UTF-8 characters', async () => {
    const body = openaiChatPayloads(['é', '😀', '€']).map((p) => sseEvent(p)).join('');
    const bytes = new TextEncoder().encode(body);
    const positions = Array.from({ length: 30 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 31));
    const inv = await setUp(splitScript(bytes, positions, 2));
    const rec = await invokeOnce(inv);
    expect(rec.tokens.reduce((n, t) => n + t.count, 0)).toBe(3);
    expect(rec.calls.at(-1)).toBe('end');
  });

  it('keeps a base URL path prefix and sends the extra headers', async () => {
    server = await startFixtureServer(sseScript(openaiChatPayloads(['x'])));
    invoker = createHttpInvoker({
      baseUrl: `${server.url}/proxy/`,
      api: 'openai-chat',
      clock,
      maxConnections: 1,
      requestTimeoutMs: 5000,
      headers: { authorization: 'Bearer t0k' },
    });
    const rec = await invokeOnce(invoker);
    expect(rec.calls.at(-1)).toBe('end');
    expect(server.requests[0]?.path).toBe('/proxy/v1/chat/completions');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer t0k');
  });
});

describe('createHttpInvoker: connection pool', () => {
  it('runs maxConnections requests at once, then reuses the kept-alive sockets', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a', 'b']), { headersDelayMs: 150 }), { maxConnections: 6 });
    const wave = async (): Promise<Recording[]> => Promise.all(Array.from({ length: 6 }, () => invokeOnce(inv)));
    const first = await wave();
    expect(server?.maxInFlight).toBe(6);
    const second = await wave();
    expect([...first, ...second].every((r) => r.calls.at(-1) === 'end')).toBe(true);
    expect(server?.connections).toBe(6);
  });
});

/** Lets undici mark a finished connection idle; a request sent at once may open a new one. */
async function pause(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A port nobody listens on: bound, read, then released. */
async function closedPort(): Promise<string> {
  const s = await startFixtureServer(['end']);
  const url = s.url;
  await s.close();
  return url;
}

describe('createHttpInvoker: each failure is reported once, classified, and never thrown', () => {
  it('connection refused → connect', async () => {
    invoker = createHttpInvoker({ baseUrl: await closedPort(), api: 'openai-chat', clock, maxConnections: 1, requestTimeoutMs: 5000 });
    const rec = await invokeOnce(invoker);
    expect(rec.calls).toEqual(['sent', 'error']);
    expect(rec.error?.err).toMatchObject({ kind: 'connect', code: 'ECONNREFUSED' });
  });

  it('socket dropped mid-stream → connection_reset, after the tokens already received', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a', 'b']).slice(0, 3), { gapMs: 10, finish: 'destroy' }));
    const rec = await invokeOnce(inv);
    expect(rec.tokens.map((t) => t.count)).toEqual([1, 1]);
    expect(rec.calls.at(-1)).toBe('error');
    expect(rec.error?.err).toMatchObject({ kind: 'connection_reset', code: 'UND_ERR_SOCKET' });
    expectOrdered(rec);
  });

  it('socket dropped before any response → connection_reset', async () => {
    const inv = await setUp(['destroy']);
    const rec = await invokeOnce(inv);
    expect(rec.calls).toEqual(['sent', 'error']);
    expect(rec.error?.err.kind).toBe('connection_reset');
  });

  it('whole request longer than requestTimeoutMs → timeout, counted from send, tokens kept', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a']).slice(0, 2), { finish: 'hang' }), { requestTimeoutMs: 300 });
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(1);
    expect(rec.error?.err).toMatchObject({ kind: 'timeout', code: 'request_timeout' });
    const elapsedMs = (rec.error?.tMs as number) - (rec.sentMs as number);
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('a slow but steady stream is not a stall, and is cut by the request timeout', async () => {
    const payloads = openaiChatPayloads(Array.from({ length: 20 }, () => 'x'));
    const inv = await setUp(sseScript(payloads, { gapMs: 40 }), { requestTimeoutMs: 400, stallTimeoutMs: 200 });
    const rec = await invokeOnce(inv);
    expect(rec.error?.err.kind).toBe('timeout');
    expect(rec.tokens.length).toBeGreaterThan(3);
  });

  it('no bytes for stallTimeoutMs mid-stream → stream_stalled', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a']).slice(0, 2), { finish: 'hang' }), { stallTimeoutMs: 200 });
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(1);
    expect(rec.error?.err).toMatchObject({ kind: 'stream_stalled', code: 'UND_ERR_BODY_TIMEOUT' });
    const elapsedMs = (rec.error?.tMs as number) - (rec.firstByteMs as number);
    expect(elapsedMs).toBeGreaterThanOrEqual(190);
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('no response headers for stallTimeoutMs → stream_stalled', async () => {
    const inv = await setUp([{ wait: 5000 }, 'end'], { stallTimeoutMs: 200 });
    const rec = await invokeOnce(inv);
    expect(rec.calls).toEqual(['sent', 'error']);
    expect(rec.error?.err).toMatchObject({ kind: 'stream_stalled', code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it.each([
    [429, 'throttled'],
    [400, 'validation'],
    [503, 'http_status'],
    [404, 'http_status'],
  ])('HTTP %i → %s, with the status and a body excerpt, keeping the connection', async (status, kind) => {
    const body = JSON.stringify({ error: { message: `no luck ${'x'.repeat(500)}` } });
    const inv = await setUp([{ status, headers: { 'content-type': 'application/json' } }, { write: body }, 'end']);
    const first = await invokeOnce(inv);
    await pause();
    const second = await invokeOnce(inv);
    for (const rec of [first, second]) {
      expect(rec.calls.at(-1)).toBe('error');
      expect(rec.tokens).toEqual([]);
      expect(rec.error?.err).toMatchObject({ kind, httpStatus: status });
      expect(rec.error?.err.message).toMatch(new RegExp(`^HTTP ${status}: \\{"error":\\{"message":"no luck x+…$`));
      expect(rec.error?.err.message.length).toBeLessThan(260);
    }
    expect(server?.connections).toBe(1);
  });

  it('HTTP error without a body → message is the status', async () => {
    const inv = await setUp([{ status: 502, headers: {} }, 'end']);
    const rec = await invokeOnce(inv);
    expect(rec.error?.err).toEqual({ kind: 'http_status', httpStatus: 502, message: 'HTTP 502' });
  });

  it('invalid JSON in the stream → malformed_payload after the earlier tokens; the connection is dropped', async () => {
    const inv = await setUp(sseScript([...openaiChatPayloads(['a']).slice(0, 2), '{"choices":[{"delta":', ...openaiChatPayloads(['b']).slice(1)]));
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(1);
    expect(rec.error?.err).toMatchObject({ kind: 'malformed_payload', code: 'invalid_json' });
    await pause();
    await invokeOnce(inv);
    expect(server?.connections).toBe(2);
  });

  it('a line over the length limit → malformed_payload/line_too_long', async () => {
    const inv = await setUp([{ status: 200 }, { write: `data: ${'x'.repeat(1.5 * 2 ** 20)}` }, { write: '\n\n' }, 'end']);
    const rec = await invokeOnce(inv);
    expect(rec.error?.err).toMatchObject({ kind: 'malformed_payload', code: 'line_too_long' });
  });

  it('a 200 response without any event → malformed_payload/empty_stream', async () => {
    const inv = await setUp([{ status: 200, headers: { 'content-type': 'application/json' } }, { write: '{"id":"not a stream"}' }, 'end']);
    const rec = await invokeOnce(inv);
    expect(rec.error?.err).toMatchObject({ kind: 'malformed_payload', code: 'empty_stream' });
  });

  it('a stream that ends cleanly before its end marker → malformed_payload/incomplete_stream, tokens kept', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a', 'b']).slice(0, 3)));
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(2);
    expect(rec.error?.err).toMatchObject({ kind: 'malformed_payload', code: 'incomplete_stream' });
  });

  it('openai error chunk in the stream → model_stream_error', async () => {
    const inv = await setUp(sseScript([...openaiChatPayloads(['a']).slice(0, 2), { error: { message: 'CUDA out of memory', type: 'server_error' } }]));
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(1);
    expect(rec.error?.err).toEqual({ kind: 'model_stream_error', message: 'CUDA out of memory' });
  });

  it('tgi error event in the stream → model_stream_error', async () => {
    const inv = await setUp(sseScript([...tgiPayloads(['a', 'b']).slice(0, 2), { error: 'Request failed during generation', error_type: 'generation' }]), { api: 'tgi' });
    const rec = await invokeOnce(inv);
    expect(rec.tokens).toHaveLength(2);
    expect(rec.error?.err).toEqual({ kind: 'model_stream_error', message: 'Request failed during generation (generation)' });
  });

  it("caller's signal mid-stream → client/cancelled, promptly", async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a']).slice(0, 2), { finish: 'hang' }));
    const { obs, rec } = recordingObserver();
    const controller = new AbortController();
    const done = inv.invoke(request, { ...obs, onTokens: (t, n) => (obs.onTokens(t, n), controller.abort()) }, controller.signal);
    await done;
    expect(rec.tokens).toHaveLength(1);
    expect(rec.calls.at(-1)).toBe('error');
    expect(rec.error?.err).toEqual({ kind: 'client', code: 'cancelled', message: 'request cancelled by the caller' });
  });

  it("caller's signal while waiting for headers → client/cancelled, and the server sees the connection close", async () => {
    const inv = await setUp([{ wait: 5000 }, 'end']);
    const { obs, rec } = recordingObserver();
    const controller = new AbortController();
    const done = inv.invoke(request, obs, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await done;
    expect(rec.calls).toEqual(['sent', 'error']);
    expect(rec.error?.err.code).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server?.inFlight).toBe(0);
  });

  it('an already aborted signal → client/cancelled without sending anything', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a'])));
    const rec = await invokeOnce(inv, AbortSignal.abort());
    expect(rec.calls).toEqual(['error']);
    expect(rec.error?.err.code).toBe('cancelled');
    expect(server?.requests).toHaveLength(0);
  });

  it('an observer that throws is a bug of the tool: invoke rejects with it', async () => {
    const inv = await setUp(sseScript(openaiChatPayloads(['a'])));
    const { obs } = recordingObserver();
    const bug = new Error('observer bug');
    await expect(
      inv.invoke(
        request,
        {
          ...obs,
          onTokens: () => {
            throw bug;
          },
        },
        new AbortController().signal,
      ),
    ).rejects.toBe(bug);
  });
});
