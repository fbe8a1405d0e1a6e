import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/lib/clock.js';
import { parseSimConfig, type SimConfigInput } from '../../src/sim/config.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { prefillMs } from '../../src/sim/timing.js';

/** Fast timings so real-clock tests finish quickly: prefill 5 ms + input/1000 ms, 2 ms per step. */
const FAST = { prefillOverheadMs: 5, prefillTokensPerS: 1_000_000, baseStepMs: 2, slowdownAtFullBatch: 0 };

const servers: SimServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(input: SimConfigInput = {}): Promise<SimServer> {
  const server = await startSimServer({ config: parseSimConfig({ ...input, model: { ...FAST, ...input.model } }) });
  servers.push(server);
  return server;
}

async function post(server: SimServer, path: string, body: unknown): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const res = await request(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** SSE events' data fields, in order. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      expect(event.startsWith('data:')).toBe(true);
      return event.slice('data:'.length).replace(/^ /, '');
    });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

describe('sim server: OpenAI-compatible', () => {
  it('streams chat completion chunks, one per token, with the usage chunk and [DONE]', async () => {
    const server = await start();
    const res = await post(server, '/v1/chat/completions', {
      model: 'my-model',
      messages: [{ role: 'user', content: 'x'.repeat(400) }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const data = sseData(res.text);
    expect(data).toHaveLength(6);
    expect(data[5]).toBe('[DONE]');
    const chunks = data.slice(0, 5).map((d) => JSON.parse(d) as Record<string, any>);
    const tokens = chunks.slice(0, 4);
    expect(tokens.map((c) => c.choices[0].delta.content)).toEqual([' the', ' model', ' says', ' a']);
    expect(tokens.map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, 'length']);
    expect(tokens[0]?.choices[0].delta.role).toBe('assistant');
    expect(tokens[1]?.choices[0].delta.role).toBeUndefined();
    for (const c of chunks) {
      expect(c).toMatchObject({ id: 'chatcmpl-sim-1', object: 'chat.completion.chunk', model: 'my-model' });
      expect(typeof c.created).toBe('number');
    }
    for (const c of tokens) expect(c.usage).toBeNull();
    expect(chunks[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 100, completion_tokens: 4, total_tokens: 104 } });

    // Ground truth, model side (model instants) and server side (when bytes went out). Epoch-ms
    // doubles carry ~0.25 µs of resolution, hence 3 decimals.
    await until(() => server.groundTruth().length === 1);
    const [modelTruth] = server.model.groundTruth();
    expect(modelTruth).toMatchObject({ id: 'sim-1', inputTokens: 100, outputTokens: 4, maxOutputTokens: 4, outcome: 'ok' });
    expect((modelTruth?.firstTokenMs ?? 0) - (modelTruth?.admittedMs ?? 0)).toBeCloseTo(prefillMs(FAST, 100), 3);
    expect((modelTruth?.lastTokenMs ?? 0) - (modelTruth?.firstTokenMs ?? 0)).toBeCloseTo(3 * FAST.baseStepMs, 3);
    const [serverTruth] = server.groundTruth();
    expect(serverTruth).toMatchObject({ id: 'sim-1', api: 'openai_chat', stream: true, status: 200, outputTokens: 4, outcome: 'ok', faults: [] });
    expect(serverTruth?.firstTokenWriteMs).toBeGreaterThanOrEqual(modelTruth?.firstTokenMs ?? Infinity);
    expect(serverTruth?.headersMs).toBeLessThanOrEqual(serverTruth?.firstTokenWriteMs ?? -Infinity);
    expect(serverTruth?.lastByteMs).toBeGreaterThanOrEqual(modelTruth?.lastTokenMs ?? Infinity);
  });

  it('streams text_completion chunks without a usage chunk unless asked', async () => {
    const server = await start({ server: { tokenTextMode: 'numbered' } });
    const res = await post(server, '/v1/completions', { prompt: 'hello world!', max_tokens: 3, stream: true });
    const data = sseData(res.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, any>);
    expect(chunks.map((c) => [c.object, c.choices[0].text, c.choices[0].finish_reason])).toEqual([
      ['text_completion', ' t0', null],
      ['text_completion', ' t1', null],
      ['text_completion', ' t2', 'length'],
    ]);
    for (const c of chunks) expect('usage' in c).toBe(false);
    expect(chunks[0]).toMatchObject({ id: 'cmpl-sim-1', model: 'llama-3-8b-sim' });
    expect(server.model.groundTruth()[0]?.inputTokens).toBe(3); // ceil(12 chars / 4)
  });

  it('answers non-streaming chat and completions with one JSON body and usage', async () => {
    const server = await start({ server: { defaultMaxTokens: 2 } });
    const chat = await post(server, '/v1/chat/completions', { messages: [{ role: 'user', content: 'abcdefgh' }] });
    expect(chat.status).toBe(200);
    expect(JSON.parse(chat.text)).toMatchObject({
      id: 'chatcmpl-sim-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: ' the model' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
    const completion = await post(server, '/v1/completions', { prompt: 'abcd', max_tokens: 3, stream: false });
    expect(JSON.parse(completion.text)).toMatchObject({
      object: 'text_completion',
      choices: [{ text: ' the model says', finish_reason: 'length' }],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    });
  });
});

describe('sim server: TGI', () => {
  it('streams token events; the last carries generated_text and details', async () => {
    const server = await start();
    const res = await post(server, '/generate_stream', { inputs: 'x'.repeat(40), parameters: { max_new_tokens: 3 } });
    expect(res.status).toBe(200);
    expect(res.text.startsWith('data:{')).toBe(true); // TGI writes no space after "data:"
    const events = sseData(res.text).map((d) => JSON.parse(d) as Record<string, any>);
    expect(events).toEqual([
      { index: 0, token: { id: 1000, text: ' the', logprob: -0.25, special: false }, generated_text: null, details: null },
      { index: 1, token: { id: 1001, text: ' model', logprob: -0.25, special: false }, generated_text: null, details: null },
      {
        index: 2,
        token: { id: 1002, text: ' says', logprob: -0.25, special: false },
        generated_text: ' the model says',
        details: { finish_reason: 'length', generated_tokens: 3, seed: null, input_length: 10 },
      },
    ]);
  });

  it('answers /generate with generated_text, and details when asked', async () => {
    const server = await start();
    const plain = await post(server, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 2 } });
    expect(JSON.parse(plain.text)).toEqual({ generated_text: ' the model' });
    const detailed = await post(server, '/generate', { inputs: 'hi', parameters: { max_new_tokens: 2, details: true } });
    expect(JSON.parse(detailed.text)).toEqual({
      generated_text: ' the model',
      details: { finish_reason: 'length', generated_tokens: 2, seed: null, input_length: 1 },
    });
  });

  it('reports EOS endings as eos_token', async () => {
    const server = await start({ model: { eosProbabilityPerToken: 1 } });
    const res = await post(server, '/generate_stream', { inputs: 'hi', parameters: { max_new_tokens: 50 } });
    const events = sseData(res.text).map((d) => JSON.parse(d) as Record<string, any>);
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({ finish_reason: 'eos_token', generated_tokens: 1 });
  });
});

describe('sim server: errors', () => {
  it('health 200, unknown path 404, wrong method 405, bad JSON 400, invalid body 400, full queue 429', async () => {
    const server = await start({ model: { batchSlots: 1, maxQueue: 0 } });
    const health = await request(`${server.url}/health`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: 'ok' });

    const missing = await post(server, '/v2/nothing', {});
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: { message: 'no route for POST /v2/nothing', type: 'not_found' } });

    const get = await request(`${server.url}/v1/completions`);
    expect(get.statusCode).toBe(405);
    await get.body.dump();

    const badJson = await post(server, '/v1/completions', '{"prompt": ');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.text).error.message).toMatch(/^invalid JSON body: /);

    const noMessages = await post(server, '/v1/chat/completions', { messages: [] });
    expect(noMessages.status).toBe(400);
    expect(JSON.parse(noMessages.text).error.message).toMatch(/^messages: /);

    const zeroTokens = await post(server, '/generate', { inputs: 'a', parameters: { max_new_tokens: 0 } });
    expect(zeroTokens.status).toBe(400);
    expect(JSON.parse(zeroTokens.text).error.message).toMatch(/^parameters\.max_new_tokens: /);

    const long = request(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'a', max_tokens: 100, stream: true }),
    });
    await until(() => server.model.stats().active === 1);
    const overloaded = await post(server, '/v1/completions', { prompt: 'b', max_tokens: 1 });
    expect(overloaded.status).toBe(429);
    expect(JSON.parse(overloaded.text).error.type).toBe('overloaded');
    await (await long).body.text();

    await until(() => server.groundTruth().length === 5);
    expect(server.groundTruth().map((r) => [r.outcome, r.status])).toEqual([
      ['bad_request', 400],
      ['bad_request', 400],
      ['bad_request', 400],
      ['rejected', 429],
      ['ok', 200],
    ]);
    expect(server.model.counts()).toMatchObject({ submitted: 2, rejected: 1, completed: 1 });
  });
});

describe('sim server: faults', () => {
  it('answers pre-response faults with their status and counts them; the model never sees those requests', async () => {
    const server = await start({ faults: [{ kind: 'serviceUnavailable' }] });
    for (let i = 0; i < 3; i++) {
      const res = await post(server, '/v1/completions', { prompt: 'a', max_tokens: 2, stream: true });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toEqual({ error: { message: 'The service is currently unavailable.', type: 'serviceUnavailable' } });
    }
    expect(server.injected()).toMatchObject({ serviceUnavailable: 3, stall: 0, invalidJson: 0, disconnect: 0 });
    expect(server.model.counts().submitted).toBe(0);
    await until(() => server.groundTruth().length === 3);
    expect(server.groundTruth().map((r) => [r.outcome, r.faults])).toEqual(Array(3).fill(['error_injected', ['serviceUnavailable']]));
  });

  it('answers a modelError with its original status on the plain HTTP routes', async () => {
    const server = await start({ faults: [{ kind: 'modelError', originalStatusCode: 502, originalMessage: 'boom' }] });
    const res = await post(server, '/generate', { inputs: 'a' });
    expect(res.status).toBe(502);
    expect(JSON.parse(res.text).error).toMatchObject({ type: 'modelError', message: expect.stringContaining('"boom"') });
  });

  it('writes one invalid JSON line after afterTokens tokens, then the rest of the stream', async () => {
    const server = await start({ faults: [{ kind: 'invalidJson', afterTokens: 2 }] });
    for (let i = 0; i < 2; i++) {
      const res = await post(server, '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], max_tokens: 4, stream: true });
      const data = sseData(res.text);
      expect(data).toHaveLength(6); // 4 tokens + 1 malformed + [DONE]
      expect(() => JSON.parse(data[2] ?? '')).toThrow(SyntaxError);
      expect([0, 1, 3, 4].map((k) => JSON.parse(data[k] ?? '').choices[0].delta.content)).toEqual([' the', ' model', ' says', ' a']);
    }
    // Shorter than afterTokens: nothing injected, nothing counted.
    await post(server, '/v1/chat/completions', { messages: [{ role: 'user', content: 'a' }], max_tokens: 1, stream: true });
    expect(server.injected().invalidJson).toBe(2);
  });

  it('stalls a stream for durationMs after afterTokens tokens', async () => {
    const server = await start({ faults: [{ kind: 'stall', durationMs: 150, afterTokens: 1 }] });
    const res = await request(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'a', max_tokens: 3, stream: true }),
    });
    const arrivals: Array<[number, string]> = [];
    for await (const chunk of res.body) arrivals.push([performance.now(), String(chunk)]);
    const text = arrivals.map(([, c]) => c).join('');
    expect(sseData(text)).toHaveLength(4);
    const firstAt = arrivals[0]?.[0] ?? 0;
    const restAt = arrivals[1]?.[0] ?? 0;
    expect(arrivals[0]?.[1]).toContain('" the"');
    expect(restAt - firstAt).toBeGreaterThanOrEqual(140);
    await until(() => server.groundTruth().length === 1);
    const [record] = server.groundTruth();
    expect(record?.faults).toEqual(['stall']);
    expect((record?.lastByteMs ?? 0) - (record?.firstTokenWriteMs ?? 0)).toBeGreaterThanOrEqual(150);
    expect(server.injected().stall).toBe(1);
  });

  it('applies a fault only to requests arriving inside its windows', async () => {
    const server = await start({ faults: [{ kind: 'stall', durationMs: 100, afterTokens: 1, windows: [{ startS: 0, endS: 0.3 }] }] });
    const res = await post(server, '/v1/completions', { prompt: 'a', max_tokens: 2, stream: true });
    expect(sseData(res.text)).toHaveLength(3);
    await until(() => server.groundTruth().length === 1);
    const [record] = server.groundTruth();
    const [modelTruth] = server.model.groundTruth();
    expect(modelTruth?.lastTokenMs).toBeLessThan((record?.receivedMs ?? 0) + 50); // the model was done early…
    expect((record?.lastByteMs ?? 0) - (modelTruth?.firstTokenMs ?? 0)).toBeGreaterThanOrEqual(100); // …the bytes waited
    expect(server.injected().stall).toBe(1);
    // After the window: no stall.
    await delay(Math.max(0, server.startedMs + 300 - Date.now() + 20));
    await post(server, '/v1/completions', { prompt: 'a', max_tokens: 2, stream: true });
    expect(server.injected().stall).toBe(1);
  });

  it('stretches the gaps between tokens by factor after afterTokens tokens (slowTokens)', async () => {
    const server = await start({ model: { baseStepMs: 20 }, faults: [{ kind: 'slowTokens', factor: 4, afterTokens: 1 }] });
    await post(server, '/v1/completions', { prompt: 'a', max_tokens: 3, stream: true });
    await until(() => server.groundTruth().length === 1);
    const [record] = server.groundTruth();
    const [modelTruth] = server.model.groundTruth();
    // Model: tokens at +0, +20, +40; written: +0, +80, +160.
    expect((modelTruth?.lastTokenMs ?? 0) - (modelTruth?.firstTokenMs ?? 0)).toBeCloseTo(40, 3);
    expect((record?.lastByteMs ?? 0) - (record?.firstTokenWriteMs ?? 0)).toBeGreaterThanOrEqual(159);
    expect(record?.faults).toEqual(['slowTokens']);
    expect(server.injected().slowTokens).toBe(1);
  });

  it('destroys the socket mid-stream and cancels the request in the model', async () => {
    const server = await start({ faults: [{ kind: 'disconnect', afterTokens: 2 }] });
    const res = await request(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'a', max_tokens: 50, stream: true }),
    });
    let received = '';
    await expect(
      (async () => {
        for await (const chunk of res.body) received += String(chunk);
      })(),
    ).rejects.toThrow();
    expect(received.split('\n\n').filter((e) => e.length > 0)).toHaveLength(2);
    await until(() => server.model.groundTruth().length === 1 && server.groundTruth().length === 1);
    expect(server.model.groundTruth()[0]).toMatchObject({ outcome: 'cancelled', outputTokens: 2 });
    expect(server.groundTruth()[0]).toMatchObject({ outcome: 'disconnect_injected', outputTokens: 2, faults: ['disconnect'] });
    expect(server.injected().disconnect).toBe(1);
    expect(server.model.stats().active).toBe(0);
  });

  it('skips frame faults and in-stream exceptions on SSE routes, without counting them', async () => {
    const server = await start({
      faults: [
        { kind: 'corruptFrame', afterTokens: 1 },
        { kind: 'modelStreamError', afterTokens: 1 },
      ],
    });
    const res = await post(server, '/generate_stream', { inputs: 'a', parameters: { max_new_tokens: 3 } });
    expect(sseData(res.text)).toHaveLength(3);
    expect(server.injected()).toMatchObject({ corruptFrame: 0, modelStreamError: 0 });
  });
});

describe('sim server: client disconnect', () => {
  it('cancels the request in the model and frees its slot', async () => {
    const server = await start({ model: { batchSlots: 1 } });
    const abort = new AbortController();
    const res = await request(`${server.url}/generate_stream`, {
      method: 'POST',
      body: JSON.stringify({ inputs: 'a', parameters: { max_new_tokens: 100_000 } }),
      signal: abort.signal,
    });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next(); // at least one token arrived
    abort.abort();
    await until(() => server.model.stats().active === 0);
    await until(() => server.groundTruth().length === 1);
    const [modelTruth] = server.model.groundTruth();
    expect(modelTruth?.outcome).toBe('cancelled');
    expect(modelTruth?.outputTokens).toBeGreaterThan(0);
    expect(modelTruth?.outputTokens).toBeLessThan(100_000);
    expect(server.groundTruth()[0]).toMatchObject({ outcome: 'client_aborted', api: 'tgi_stream' });
    // The freed slot serves the next request at once.
    const next = await post(server, '/generate', { inputs: 'a', parameters: { max_new_tokens: 1 } });
    expect(next.status).toBe(200);
  });
});

describe('sim server on a virtual clock', () => {
  it('writes each token at the model instant: 512-token prompt, defaults → first token at 168 ms, then every 28 ms', async () => {
    const clock = new VirtualClock(0);
    const server = await startSimServer({ config: parseSimConfig({}), clock });
    servers.push(server);
    const pending = post(server, '/v1/completions', { prompt: 'x'.repeat(2048), max_tokens: 3, stream: true });
    await until(() => server.model.stats().active === 1);
    // The metrics publisher ticks every 10 s forever: run to the last token's instant, not until idle.
    await clock.advanceTo(224);
    const res = await pending;
    expect(sseData(res.text)).toHaveLength(4);
    await until(() => server.groundTruth().length === 1);
    expect(server.model.groundTruth()[0]).toMatchObject({ arrivalMs: 0, admittedMs: 0, firstTokenMs: 168, lastTokenMs: 224, endMs: 224 });
    expect(server.groundTruth()[0]).toMatchObject({ receivedMs: 0, headersMs: 0, firstTokenWriteMs: 168, lastByteMs: 224, endMs: 224 });
  });
});
