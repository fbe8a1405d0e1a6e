/**
 * The simulator speaking SageMaker Runtime, checked with the real AWS SDK client: streams of
 * PayloadParts per payload format, non-streaming bodies, routing and its AWS-worded errors, every
 * fault kind as the client sees it, and exact injected counts.
 */
import {
  InternalDependencyException,
  InternalFailure,
  InternalStreamFailure,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  ModelError,
  ModelNotReadyException,
  ModelStreamError,
  SageMakerRuntimeClient,
  SageMakerRuntimeServiceException,
  ServiceUnavailable,
  ValidationError,
  type InvokeEndpointWithResponseStreamCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSimConfig, type SimConfigInput } from '../../src/sim/config.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';

/** Fast timings so real-clock tests finish quickly: prefill 5 ms, 2 ms per step. */
const FAST = { prefillOverheadMs: 5, prefillTokensPerS: 1_000_000, baseStepMs: 2, slowdownAtFullBatch: 0 };

const servers: SimServer[] = [];
const clients: SageMakerRuntimeClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(input: SimConfigInput = {}): Promise<{ server: SimServer; client: SageMakerRuntimeClient }> {
  const server = await startSimServer({ config: parseSimConfig({ ...input, model: { ...FAST, ...input.model } }) });
  servers.push(server);
  const client = new SageMakerRuntimeClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
  clients.push(client);
  return { server, client };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const text = (parts: readonly Uint8Array[]): string => Buffer.concat(parts).toString('utf8');

/** Streams, collecting PayloadPart bytes; resolves with what arrived, or with the error the iterator threw after them. */
async function stream(
  client: SageMakerRuntimeClient,
  input: InvokeEndpointWithResponseStreamCommandInput,
): Promise<{ parts: Uint8Array[]; variant?: string; contentType?: string; error?: unknown }> {
  const res = await client.send(new InvokeEndpointWithResponseStreamCommand(input));
  const parts: Uint8Array[] = [];
  const meta = { ...(res.InvokedProductionVariant && { variant: res.InvokedProductionVariant }), ...(res.ContentType && { contentType: res.ContentType }) };
  try {
    for await (const event of res.Body!) {
      if (event.PayloadPart?.Bytes) parts.push(event.PayloadPart.Bytes);
    }
  } catch (error: unknown) {
    return { parts, ...meta, error };
  }
  return { parts, ...meta };
}

/** The error a call rejects with. */
async function rejection(call: Promise<unknown>): Promise<SageMakerRuntimeServiceException> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SageMakerRuntimeServiceException);
  return error as SageMakerRuntimeServiceException;
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

const tgiBody = (maxNewTokens: number) => json({ inputs: 'x'.repeat(40), parameters: { max_new_tokens: maxNewTokens }, stream: true });

const ENDPOINTS: SimConfigInput['endpoints'] = [
  {
    name: 'multi',
    variants: [
      { name: 'tgi-v', payload: 'tgi', model: FAST },
      { name: 'lmi-v', payload: 'lmi', model: FAST, weight: 0.0001 },
      { name: 'openai-v', payload: 'openai', model: FAST, weight: 0.0001 },
    ],
  },
  {
    name: 'shared',
    inferenceComponents: [
      { name: 'ic-lmi', payload: 'lmi', model: FAST },
      { name: 'ic-openai', payload: 'openai', model: FAST },
    ],
  },
];

describe('SageMaker streaming per payload format (real SDK client)', () => {
  it('serves the default endpoint sim-endpoint / AllTraffic (TGI) out of the box, one PayloadPart per token', async () => {
    const { server, client } = await start();
    const res = await stream(client, { EndpointName: 'sim-endpoint', Body: tgiBody(3), ContentType: 'application/json' });
    expect(res.error).toBeUndefined();
    expect(res).toMatchObject({ variant: 'AllTraffic', contentType: 'text/event-stream' });
    expect(res.parts.map((p) => Buffer.from(p).toString())).toEqual([
      'data:{"index":0,"token":{"id":1000,"text":" the","logprob":-0.25,"special":false},"generated_text":null,"details":null}\n\n',
      'data:{"index":1,"token":{"id":1001,"text":" model","logprob":-0.25,"special":false},"generated_text":null,"details":null}\n\n',
      'data:{"index":2,"token":{"id":1002,"text":" says","logprob":-0.25,"special":false},"generated_text":" the model says",' +
        '"details":{"finish_reason":"length","generated_tokens":3,"seed":null,"input_length":10}}\n\n',
    ]);
    await until(() => server.groundTruth().length === 1);
    expect(server.groundTruth()[0]).toMatchObject({
      api: 'sagemaker_stream',
      stream: true,
      status: 200,
      outcome: 'ok',
      endpoint: 'sim-endpoint',
      variant: 'AllTraffic',
      outputTokens: 3,
      faults: [],
    });
    expect(server.sagemakerCounts()).toEqual([{ endpoint: 'sim-endpoint', variant: 'AllTraffic', invocations: 1 }]);
  });

  it('sends the response headers AWS sends, and takes requests without any signature', async () => {
    const { server } = await start();
    const res = await request(`${server.url}/endpoints/sim-endpoint/invocations-response-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-sagemaker-custom-attributes': 'accept_eula=true' },
      body: JSON.stringify({ inputs: 'hi', parameters: { max_new_tokens: 1 } }),
    });
    await res.body.arrayBuffer();
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-sagemaker-content-type': 'text/event-stream',
      'x-amzn-invoked-production-variant': 'AllTraffic',
    });
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(String(res.headers.date))).not.toBeNaN();
    await until(() => server.groundTruth().length === 1);
    expect(server.groundTruth()[0]?.customAttributes).toBe('accept_eula=true');
  });

  it('streams LMI JSON lines and OpenAI chunks; split lines reassemble to the same lines', async () => {
    const { client } = await start({ endpoints: ENDPOINTS, sagemaker: { splitLines: 0.5 } });
    const lmi = await stream(client, {
      EndpointName: 'shared',
      InferenceComponentName: 'ic-lmi',
      Body: json({ inputs: 'hello', parameters: { max_new_tokens: 12 }, stream: true }),
    });
    expect(lmi.contentType).toBe('application/jsonlines');
    const lines = text(lmi.parts).split('\n');
    expect(lines.at(-1)).toBe('');
    const objects = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, any>);
    expect(objects).toHaveLength(12);
    expect(objects[0]).toEqual({ token: { id: 1000, text: ' the', log_prob: -0.25 } });
    expect(objects[11]).toMatchObject({ generated_text: expect.stringMatching(/^ the model says/), details: { finish_reason: 'length', generated_tokens: 12 } });
    // Some parts carry half a line: clients must buffer to the newline.
    expect(lmi.parts.length).toBeGreaterThan(12);
    expect(lmi.parts.some((p) => !Buffer.from(p).toString().endsWith('\n'))).toBe(true);

    const chat = await stream(client, {
      EndpointName: 'shared',
      InferenceComponentName: 'ic-openai',
      Body: json({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, stream: true, stream_options: { include_usage: true } }),
    });
    const events = text(chat.parts).split('\n\n').filter((e) => e.length > 0);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, any>);
    expect(chunks.slice(0, 5).map((c) => c.choices[0].delta.content)).toEqual([' the', ' model', ' says', ' a', ' short']);
    expect(chunks[5]).toMatchObject({ object: 'chat.completion.chunk', usage: { completion_tokens: 5 } });

    const completion = await stream(client, {
      EndpointName: 'multi',
      TargetVariant: 'openai-v',
      Body: json({ prompt: 'hi', max_tokens: 2, stream: true }),
    });
    expect(completion.variant).toBe('openai-v');
    expect(text(completion.parts)).toMatch(/^data: \{"id":"cmpl-sim-\d+","object":"text_completion".*\n\ndata: \[DONE\]\n\n$/s);
  });

  it('answers InvokeEndpoint with the container body once the model finished', async () => {
    const { client } = await start({ endpoints: ENDPOINTS });
    const decode = (body: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(body ?? []).toString());
    const tgi = await client.send(new InvokeEndpointCommand({ EndpointName: 'multi', TargetVariant: 'tgi-v', Body: json({ inputs: 'a', parameters: { max_new_tokens: 2 } }) }));
    expect(tgi.InvokedProductionVariant).toBe('tgi-v');
    expect(tgi.ContentType).toBe('application/json');
    expect(decode(tgi.Body)).toEqual([{ generated_text: ' the model' }]);
    const lmi = await client.send(
      new InvokeEndpointCommand({ EndpointName: 'shared', InferenceComponentName: 'ic-lmi', Body: json({ inputs: 'a', parameters: { max_new_tokens: 2, details: true } }) }),
    );
    expect(decode(lmi.Body)).toEqual({ generated_text: ' the model', details: { finish_reason: 'length', generated_tokens: 2 } });
    const chat = await client.send(
      new InvokeEndpointCommand({ EndpointName: 'shared', InferenceComponentName: 'ic-openai', Body: json({ messages: [{ role: 'user', content: 'abcd' }], max_tokens: 2 }) }),
    );
    expect(decode(chat.Body)).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: ' the model' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });
});

describe('SageMaker routing and its errors', () => {
  it('words unknown endpoints, components and variants, and component-header mistakes, as AWS does', async () => {
    const { server, client } = await start({ endpoints: ENDPOINTS, sagemaker: { accountId: '111122223333' } });
    const body = json({ inputs: 'a' });
    const cases: Array<[Promise<unknown>, string]> = [
      [client.send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: body })), 'Endpoint nope of account 111122223333 not found.'],
      [
        client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'shared', Body: body })),
        'Inference Component Name header is required for endpoints to which you plan to deploy inference components. ' +
          'Please include Inference Component Name header or consider using SageMaker models.',
      ],
      [
        client.send(new InvokeEndpointCommand({ EndpointName: 'shared', InferenceComponentName: 'ghost', Body: body })),
        'Inference Component ghost of endpoint shared of account 111122223333 not found.',
      ],
      [
        client.send(new InvokeEndpointCommand({ EndpointName: 'multi', InferenceComponentName: 'ic-lmi', Body: body })),
        'Inference Component Name header is not allowed for endpoints to which you dont plan to deploy inference components. ' +
          'Please remove the Inference Component Name header and try again.',
      ],
      [client.send(new InvokeEndpointCommand({ EndpointName: 'multi', TargetVariant: 'purple', Body: body })), 'Variant purple not found for endpoint multi.'],
    ];
    for (const [call, message] of cases) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe(message);
    }
    await until(() => server.groundTruth().length === cases.length);
    expect(server.groundTruth().every((r) => r.outcome === 'not_found' && r.status === 400)).toBe(true);
  });

  it('routes by the target-variant header, else by weight (seeded), with per-variant counts', async () => {
    const { server, client } = await start({
      endpoints: [
        {
          name: 'ab',
          variants: [
            { name: 'blue', weight: 3, model: FAST },
            { name: 'green', weight: 1, model: FAST },
          ],
        },
      ],
    });
    const seen: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const res = await client.send(new InvokeEndpointCommand({ EndpointName: 'ab', Body: json({ inputs: 'a', parameters: { max_new_tokens: 1 } }) }));
      seen[res.InvokedProductionVariant!] = (seen[res.InvokedProductionVariant!] ?? 0) + 1;
    }
    expect((seen.blue ?? 0) + (seen.green ?? 0)).toBe(200);
    expect(seen.blue).toBeGreaterThan(125); // expected 150, σ ≈ 6
    expect(seen.blue).toBeLessThan(175);
    for (let i = 0; i < 5; i++) {
      const res = await client.send(new InvokeEndpointCommand({ EndpointName: 'ab', TargetVariant: 'green', Body: json({ inputs: 'a', parameters: { max_new_tokens: 1 } }) }));
      expect(res.InvokedProductionVariant).toBe('green');
    }
    expect(server.sagemakerCounts()).toEqual([
      { endpoint: 'ab', variant: 'blue', invocations: seen.blue },
      { endpoint: 'ab', variant: 'green', invocations: (seen.green ?? 0) + 5 },
    ]);
    expect(server.endpoints.targets().map((t) => t.model.counts().completed)).toEqual([seen.blue, (seen.green ?? 0) + 5]);
  });

  it('answers a body the container rejects, and a full container queue, as ModelError with the container status', async () => {
    const { client } = await start({ model: { batchSlots: 1, maxQueue: 0 } });
    const bad = await rejection(client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: json({ prompt: 'not tgi' }) })));
    expect(bad).toBeInstanceOf(ModelError);
    expect((bad as ModelError).OriginalStatusCode).toBe(400);
    const long = stream(client, { EndpointName: 'sim-endpoint', Body: tgiBody(200) });
    await delay(30);
    const full = await rejection(client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: json({ inputs: 'a' }) })));
    expect(full).toBeInstanceOf(ModelError);
    expect((full as ModelError).OriginalStatusCode).toBe(429);
    expect((await long).error).toBeUndefined();
  });
});

describe('SageMaker faults as the SDK sees them', () => {
  const PRE_RESPONSE: Array<[string, new (...args: never[]) => SageMakerRuntimeServiceException, number, string]> = [
    ['validation', ValidationError, 400, 'ValidationError'],
    ['noCapacity', ValidationError, 400, 'ValidationError'],
    ['modelError', ModelError, 424, 'ModelError'],
    ['modelNotReady', ModelNotReadyException, 429, 'ModelNotReadyException'],
    ['throttling', SageMakerRuntimeServiceException, 429, 'ThrottlingException'],
    ['internalFailure', InternalFailure, 500, 'InternalFailure'],
    ['serviceUnavailable', ServiceUnavailable, 503, 'ServiceUnavailable'],
    ['internalDependency', InternalDependencyException, 530, 'InternalDependencyException'],
  ];

  it.each(PRE_RESPONSE)('%s → %o, HTTP %i, name %s, on both calls', async (kind, errorClass, status, name) => {
    const { server, client } = await start({ faults: [{ kind } as never] });
    for (const call of [
      client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(2) })),
      client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(2) })),
    ]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(errorClass);
      expect(error.name).toBe(name);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(server.injected()[kind as 'validation']).toBe(2);
    expect(Object.values(server.injected()).reduce((a, b) => a + b, 0)).toBe(2);
    expect(server.model.counts().submitted).toBe(0);
  });

  it('fills ModelError and noCapacity the AWS way', async () => {
    const model = await start({ faults: [{ kind: 'modelError', originalStatusCode: 400, originalMessage: 'bad input' }] });
    const error = (await rejection(model.client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(1) })))) as ModelError;
    expect(error.OriginalStatusCode).toBe(400);
    expect(error.OriginalMessage).toBe('bad input');
    expect(error.LogStreamArn).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/sim-endpoint');
    expect(error.message).toBe(
      'Received client error (400) from primary with message "bad input". See https://us-east-1.console.aws.amazon.com/cloudwatch/home' +
        '?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/sim-endpoint in account 123456789012 for more information.',
    );
    const capacity = await start({ faults: [{ kind: 'noCapacity' }] });
    const noCapacity = await rejection(capacity.client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(1) })));
    expect(noCapacity.message).toBe(
      'Inference Component has no capacity to process this request. ApplicationAutoScaling may be in-progress (if configured) ' +
        'or try to increase the capacity by invoking UpdateInferenceComponentRuntimeConfig API.',
    );
  });

  it('ends a stream with ModelStreamError or InternalStreamFailure after afterTokens tokens; the tokens before arrive', async () => {
    const modelStream = await start({ faults: [{ kind: 'modelStreamError', afterTokens: 2, errorCode: 'StreamBroken' }] });
    const broken = await stream(modelStream.client, { EndpointName: 'sim-endpoint', Body: tgiBody(10) });
    expect(broken.parts).toHaveLength(2);
    expect(broken.error).toBeInstanceOf(ModelStreamError);
    expect((broken.error as ModelStreamError).ErrorCode).toBe('StreamBroken');
    expect((broken.error as ModelStreamError).message).toMatch(/timeout period/);
    await until(() => modelStream.server.groundTruth().length === 1);
    expect(modelStream.server.groundTruth()[0]).toMatchObject({ outcome: 'stream_error_injected', outputTokens: 2, faults: ['modelStreamError'] });
    expect(modelStream.server.model.groundTruth()[0]?.outcome).toBe('cancelled');

    const internal = await start({ faults: [{ kind: 'internalStreamFailure', afterTokens: 1 }] });
    const failed = await stream(internal.client, { EndpointName: 'sim-endpoint', Body: tgiBody(10) });
    expect(failed.parts).toHaveLength(1);
    expect(failed.error).toBeInstanceOf(InternalStreamFailure);
    expect(internal.server.injected().internalStreamFailure).toBe(1);

    // For the client engineer: an exception as the stream's FIRST event makes `client.send` itself
    // reject (the SDK reads the first event while deserializing the response), not the iterator.
    const first = await start({ faults: [{ kind: 'internalStreamFailure', afterTokens: 0 }] });
    const error = await rejection(stream(first.client, { EndpointName: 'sim-endpoint', Body: tgiBody(10) }));
    expect(error).toBeInstanceOf(InternalStreamFailure);
  });

  it('makes the SDK iterator throw on a frame with a bad CRC, a truncated frame and a cut connection', async () => {
    // What the SDK (client-sagemaker-runtime 3.1178 over node:http) throws from the iterator, for the
    // client's classifier — plain Errors, no SDK exception class:
    // - corruptFrame: Error "The message checksum (<got>) did not match the expected value of <expected>";
    // - truncatedFrame (half a frame, then the response ends): Error "Truncated event message received.";
    // - disconnect (the socket closed mid-response): Error "aborted" with code ECONNRESET.
    const messages: Record<string, string> = {};
    for (const kind of ['corruptFrame', 'truncatedFrame', 'disconnect'] as const) {
      const { server, client } = await start({ faults: [{ kind, afterTokens: 2 }] });
      const res = await stream(client, { EndpointName: 'sim-endpoint', Body: tgiBody(10) });
      expect(res.parts).toHaveLength(2);
      expect(res.error).toBeInstanceOf(Error);
      messages[kind] = `${(res.error as Error).name}: ${(res.error as Error).message} ${String((res.error as { code?: unknown }).code ?? '')}`.trim();
      await until(() => server.groundTruth().length === 1);
      expect(server.groundTruth()[0]?.faults).toEqual([kind]);
      expect(server.injected()[kind]).toBe(1);
    }
    expect(messages.corruptFrame).toMatch(/^Error: The message checksum \(\d+\) did not match the expected value of \d+$/);
    expect(messages.truncatedFrame).toMatch(/^Error: Truncated event message received\./);
    expect(messages.disconnect).toBe('Error: aborted ECONNRESET');
  });

  it('puts an invalid JSON line in its own PayloadPart and carries on', async () => {
    const { server, client } = await start({ endpoints: ENDPOINTS, faults: [{ kind: 'invalidJson', afterTokens: 1 }] });
    const res = await stream(client, { EndpointName: 'shared', InferenceComponentName: 'ic-lmi', Body: json({ inputs: 'a', parameters: { max_new_tokens: 3 } }) });
    const lines = text(res.parts).split('\n').slice(0, -1);
    expect(lines).toHaveLength(4);
    expect(() => JSON.parse(lines[1] ?? '')).toThrow(SyntaxError);
    expect(server.injected().invalidJson).toBe(1);
  });

  it('counts exactly: probability 1 and 0, seeded draws matching what the client saw, windows', async () => {
    const { server, client } = await start({
      faults: [
        { kind: 'throttling', probability: 0.3 },
        { kind: 'internalFailure', probability: 0 },
        { kind: 'stall', durationMs: 1, afterTokens: 1 },
      ],
    });
    let throttled = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await stream(client, { EndpointName: 'sim-endpoint', Body: tgiBody(2) });
      } catch (e: unknown) {
        expect((e as Error).name).toBe('ThrottlingException');
        throttled++;
      }
    }
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThan(40);
    await until(() => server.groundTruth().length === 40);
    expect(server.injected()).toMatchObject({ throttling: throttled, internalFailure: 0, stall: 40 - throttled });

    const windowed = await start({ faults: [{ kind: 'serviceUnavailable', windows: [{ startS: 0.25, endS: 60 }] }] });
    await windowed.client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(1) }));
    await delay(Math.max(0, windowed.server.startedMs + 300 - Date.now()));
    const error = await rejection(windowed.client.send(new InvokeEndpointCommand({ EndpointName: 'sim-endpoint', Body: tgiBody(1) })));
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(windowed.server.injected().serviceUnavailable).toBe(1);
  });

  it('stalls and slows a SageMaker stream without an error', async () => {
    const { server, client } = await start({
      model: { baseStepMs: 10 },
      faults: [
        { kind: 'stall', durationMs: 100, afterTokens: 1 },
        { kind: 'slowTokens', factor: 3, afterTokens: 2 },
      ],
    });
    const res = await stream(client, { EndpointName: 'sim-endpoint', Body: tgiBody(4) });
    expect(res.error).toBeUndefined();
    expect(res.parts).toHaveLength(4);
    await until(() => server.groundTruth().length === 1);
    const [record] = server.groundTruth();
    // Model: tokens 10 ms apart (30 ms first to last); written ≥ 100 ms stall + 2 gaps × 30 ms later.
    expect((record?.lastByteMs ?? 0) - (record?.firstTokenWriteMs ?? 0)).toBeGreaterThanOrEqual(155);
    expect(record?.faults).toEqual(['stall', 'slowTokens']);
  });
});
