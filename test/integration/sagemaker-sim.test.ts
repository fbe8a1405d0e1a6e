/**
 * The real AWS SDK client (and the fast path) against the simulator's SageMaker routes: every
 * payload format, every fault kind. The invoker never throws, each injected failure lands in its
 * error kind, and the client's counts per kind equal the simulator's injected() counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/lib/clock.js';
import { FAULT_KINDS, parseSimConfig, PRE_RESPONSE_FAULTS, type FaultKind } from '../../src/sim/config.js';
import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { SAGEMAKER_INVOKERS } from '../../src/targets/sagemaker.js';
import type { ErrorKind, InferenceRequest, Invoker } from '../../src/targets/types.js';
import { recordingObserver, tokenTotal, type Recording } from '../helpers/eventstream-server.js';

const MAX_TOKENS = 6;
const request = (seq: number): InferenceRequest => ({ seq, stage: 0, intendedMs: 0, prompt: 'Tell me a story', inputTokens: 4, maxOutputTokens: MAX_TOKENS });
const fastModel = { baseStepMs: 2, prefillOverheadMs: 1 };

/** What each simulator fault must look like to the client; undefined: the request succeeds. */
const EXPECTED: Record<FaultKind, { kind: ErrorKind; code?: string } | undefined> = {
  validation: { kind: 'validation', code: 'ValidationError' },
  noCapacity: { kind: 'validation', code: 'NoCapacity' },
  modelError: { kind: 'model_error', code: 'ModelError' },
  modelNotReady: { kind: 'model_not_ready', code: 'ModelNotReadyException' },
  throttling: { kind: 'throttled', code: 'ThrottlingException' },
  internalFailure: { kind: 'internal_failure', code: 'InternalFailure' },
  serviceUnavailable: { kind: 'service_unavailable', code: 'ServiceUnavailable' },
  internalDependency: { kind: 'internal_dependency', code: 'InternalDependencyException' },
  invalidJson: { kind: 'malformed_payload', code: 'invalid_json' },
  stall: { kind: 'stream_stalled' },
  slowTokens: undefined,
  corruptFrame: { kind: 'malformed_frame' },
  // A frame cut short is a malformed frame (issue 3). The simulator must end the response cleanly
  // after the half frame for the SDK to say so ("Truncated event message received."): if it drops
  // the socket instead, both clients can only see a connection reset ("aborted", ECONNRESET).
  truncatedFrame: { kind: 'malformed_frame' },
  modelStreamError: { kind: 'model_stream_error', code: 'ModelStreamError' },
  internalStreamFailure: { kind: 'internal_stream_failure', code: 'InternalStreamFailure' },
  disconnect: { kind: 'connection_reset' },
};

let sim: SimServer | undefined;
let invoker: Invoker | undefined;
afterEach(async () => {
  await invoker?.close();
  await sim?.close();
  invoker = undefined;
  sim = undefined;
});

async function start(config: unknown, client: 'sdk' | 'fast', format: 'tgi' | 'lmi' | 'openai' = 'tgi', stallTimeoutMs = 5000): Promise<Invoker> {
  sim = await startSimServer({ config: parseSimConfig(config) });
  invoker = SAGEMAKER_INVOKERS[client]({
    endpointName: 'sim-endpoint',
    endpointUrl: sim.url,
    stream: true,
    payload: { format },
    responseFormat: 'auto',
    clock: new RealClock(),
    maxConnections: 256,
    requestTimeoutMs: 10_000,
    stallTimeoutMs,
  });
  return invoker;
}

async function invokeAll(inv: Invoker, n: number): Promise<Recording[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { obs, rec } = recordingObserver();
      await inv.invoke(request(i), obs, new AbortController().signal);
      return rec;
    }),
  );
}

const endpoint = (payload: string): object => ({
  model: fastModel,
  endpoints: [{ name: 'sim-endpoint', variants: [{ name: 'AllTraffic', payload, model: fastModel }] }],
});

describe.each(['sdk', 'fast'] as const)('%s client against the simulator', (client) => {
  it.each(['tgi', 'lmi', 'openai'] as const)('payload %s: every request ok, every token counted', async (format) => {
    const inv = await start(endpoint(format), client, format);
    const recs = await invokeAll(inv, 5);
    for (const rec of recs) {
      expect(rec.error).toBeUndefined();
      expect(rec.calls.at(-1)).toBe('end');
      expect(rec.tokens.reduce((s, t) => s + t.count, 0)).toBe(MAX_TOKENS);
      expect(tokenTotal(rec)).toBe(MAX_TOKENS);
    }
  });

  it.each(FAULT_KINDS.map((k) => [k]))('fault %s lands in its kind, counts equal injected()', async (fault) => {
    // Pre-response kinds take no afterTokens; mid-stream ones act after 2 tokens. A stall of 2 s meets a 400 ms stall timeout.
    const extra = fault === 'stall' ? { durationMs: 2000 } : {};
    const stallTimeoutMs = fault === 'stall' ? 400 : 5000;
    const afterTokens = (PRE_RESPONSE_FAULTS as readonly string[]).includes(fault) ? {} : { afterTokens: 2 };
    const inv = await start({ ...endpoint('tgi'), faults: [{ kind: fault, ...afterTokens, ...extra }] }, client, 'tgi', stallTimeoutMs);
    const n = 4;
    const recs = await invokeAll(inv, n);
    const expected = EXPECTED[fault];
    const matching = recs.filter((r) =>
      expected === undefined ? r.error === undefined : r.error?.err.kind === expected.kind && (expected.code === undefined || r.error.err.code === expected.code),
    );
    expect(recs.map((r) => r.error?.err ?? 'ok')).toEqual(Array(n).fill(expected === undefined ? 'ok' : expect.objectContaining(expected)));
    expect(matching.length).toBe(sim?.injected()[fault]);
    if (expected && recs.every((r) => r.calls.includes('firstByte'))) {
      // Mid-stream failures keep the tokens that came before them.
      for (const r of recs) expect(r.tokens.reduce((s, t) => s + t.count, 0)).toBeGreaterThanOrEqual(fault === 'invalidJson' ? 1 : 2);
    }
  });

  it('every ending fault at once, at random: per-kind counts equal injected()', async () => {
    // Faults that end the request, so that one request counts at most one injection: a stream goes
    // on after invalidJson, corruptFrame, stall and slowTokens, and a later fault would count twice.
    const continuing: FaultKind[] = ['invalidJson', 'corruptFrame', 'stall', 'slowTokens'];
    const faults = FAULT_KINDS.filter((k) => !continuing.includes(k)).map((kind) => ({ kind, probability: 0.06 }));
    const inv = await start({ ...endpoint('tgi'), seed: 7, faults }, client);
    const recs = await invokeAll(inv, 200);
    const injected = sim?.injected() ?? ({} as Record<FaultKind, number>);
    const byKind = new Map<string, number>();
    for (const r of recs) {
      const key = r.error ? `${r.error.err.kind}${r.error.err.code === 'NoCapacity' ? '/NoCapacity' : ''}` : 'ok';
      byKind.set(key, (byKind.get(key) ?? 0) + 1);
    }
    const expectedByKind = new Map<string, number>();
    let failed = 0;
    for (const fault of FAULT_KINDS) {
      const e = EXPECTED[fault];
      if (e === undefined || injected[fault] === 0) continue;
      const key = `${e.kind}${e.code === 'NoCapacity' ? '/NoCapacity' : ''}`;
      expectedByKind.set(key, (expectedByKind.get(key) ?? 0) + injected[fault]);
      failed += injected[fault];
    }
    expectedByKind.set('ok', 200 - failed);
    expect(Object.fromEntries(byKind)).toEqual(Object.fromEntries(expectedByKind));
  });
});
