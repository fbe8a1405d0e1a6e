/**
 * Neither hidden retries nor socket-pool queueing may hide latency (DESIGN invariant 5): with
 * maxConnections = N, N slow streams are all at the server at once, past the SDK's default pool
 * of 50 sockets; the control shows that default pool queueing the rest.
 */
import { InvokeEndpointWithResponseStreamCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/lib/clock.js';
import { createSageMakerFastInvoker, createSageMakerInvoker } from '../../src/targets/sagemaker.js';
import type { InferenceRequest, Invoker } from '../../src/targets/types.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { recordingObserver, streamScript, tgiLines } from '../helpers/eventstream-server.js';

const N = 60;
const HOLD_MS = 400;
const request: InferenceRequest = { seq: 1, stage: 0, intendedMs: 0, prompt: 'p', inputTokens: 1, maxOutputTokens: 4 };
const slowStream = (): ReturnType<typeof streamScript> => [{ wait: HOLD_MS }, ...streamScript(tgiLines(['a', 'b']))];

let server: FixtureServer | undefined;
let invoker: Invoker | undefined;
afterEach(async () => {
  await invoker?.close();
  await server?.close();
  invoker = undefined;
  server = undefined;
});

describe.each([
  ['sdk', createSageMakerInvoker],
  ['fast', createSageMakerFastInvoker],
])('SageMaker invoker (%s) socket pool', (_name, create) => {
  it(`holds ${N} slow streams in flight at once with maxConnections ${N}, one request each`, async () => {
    server = await startFixtureServer(slowStream);
    invoker = create({
      endpointName: 'ep',
      endpointUrl: server.url,
      stream: true,
      payload: { format: 'tgi' },
      responseFormat: 'auto',
      clock: new RealClock(),
      maxConnections: N,
      requestTimeoutMs: 10_000,
    });
    const inv = invoker;
    const recordings = await Promise.all(
      Array.from({ length: N }, async () => {
        const { obs, rec } = recordingObserver();
        await inv.invoke(request, obs, new AbortController().signal);
        return rec;
      }),
    );
    expect(recordings.every((r) => r.endMs !== undefined)).toBe(true);
    expect(server.requests.length).toBe(N);
    expect(server.maxInFlight).toBe(N);
  });
});

it('control: the SDK with its default socket pool queues past 50', async () => {
  server = await startFixtureServer(slowStream);
  const client = new SageMakerRuntimeClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  try {
    await Promise.all(
      Array.from({ length: N }, async () => {
        const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'ep', Body: new Uint8Array(0) }));
        for await (const _ of out.Body ?? []) void _;
      }),
    );
  } finally {
    client.destroy();
  }
  expect(server.maxInFlight).toBe(50);
});
