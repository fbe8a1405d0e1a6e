import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.js';
import { startSimServer } from '../../src/sim/server.js';
import type { RequestResult } from '../../src/record/types.js';
import { readNdjson, runProfileText } from '../helpers/run-helpers.js';
import { startSimProcess } from '../helpers/sim-process.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

describe('a run against the built-in simulator', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('measures TTFT and end-to-end as the simulator timed them (p50 within a few ms at moderate load)', async () => {
    // The simulator runs in its own process, as a real endpoint would: sharing the client's event
    // loop would add the server's work (and an in-process socket hop of ~0.5 ms) to every span.
    const sim = await startSimProcess({ model: { batchSlots: 8 } });
    close = () => sim.close();
    const { summary, dir } = await runProfileText(
      `name: e2e-truth
seed: 3
stages: [{ kind: constant, rateRps: 10, durationS: 4 }]
workload: { input: { kind: fixed, tokens: 200 }, output: { kind: fixed, tokens: 12 } }
`,
      sim.url,
    );
    expect(summary.totals).toMatchObject({ sent: 40, ok: 40, errors: 0, dropped: 0 });
    const truth = (await sim.groundTruth()).filter((r) => r.outcome === 'ok').sort((a, b) => a.receivedMs - b.receivedMs);
    const results = readNdjson<RequestResult>(join(dir, 'results.ndjson')).sort((a, b) => (a.sentMs ?? 0) - (b.sentMs ?? 0));
    expect(truth).toHaveLength(40);
    expect(results).toHaveLength(40);
    // Pairs by order of arrival (sends on different connections can overtake each other by a hair,
    // so a pair may mismatch): the spans are compared as sorted distributions, where containment
    // still holds — the k-th shortest client span is at least the k-th shortest server span.
    const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const clientTtft = sorted(results.map((r) => r.firstTokenMs! - r.intendedMs));
    const serverTtft = sorted(truth.map((t) => t.firstTokenWriteMs! - t.receivedMs));
    const clientE2e = sorted(results.map((r) => r.endMs - r.intendedMs));
    const serverE2e = sorted(truth.map((t) => t.lastByteMs! - t.receivedMs));
    const ttftDiff = clientTtft.map((c, k) => c - serverTtft[k]!);
    const e2eDiff = clientE2e.map((c, k) => c - serverE2e[k]!);
    // Two processes' clocks, each calibrated to the wall clock's millisecond edge: agreement to a
    // fraction of a millisecond, hence the small allowance.
    for (const d of [...ttftDiff, ...e2eDiff]) expect(d).toBeGreaterThanOrEqual(-0.5);
    for (const r of results) {
      expect(r.outputTokens).toBe(12);
      expect(r.tokenSource).toBe('usage');
    }
    // What the client adds to the server's spans: its own send lag, the request's way to the server
    // and the first token's way back — two processes over loopback. Measured medians on this 2-core
    // machine with other test files running: 1.5–2.8 ms (lag ~0.2, to the server ~0.8–1.9, back
    // ~0.6–0.8). The aim is 1 ms; the bound below is what holds under CI's parallel load.
    expect(median(ttftDiff)).toBeLessThan(3);
    expect(median(e2eDiff)).toBeLessThan(3);
    const serverTtftP50 = median(truth.map((t) => t.firstTokenWriteMs! - t.receivedMs));
    expect(Math.abs(summary.metrics.ttft!.p50Ms - serverTtftP50)).toBeLessThan(3 + serverTtftP50 * 0.001);
    // 200 input tokens: 40 ms overhead + 50 ms prefill on an idle copy.
    expect(serverTtftP50).toBeGreaterThanOrEqual(90);
  });

  it('classifies a malformed stream line as an error of that request and goes on', async () => {
    const sim = await startSimServer({ config: parseSimConfig({}) });
    close = () => sim.close();
    const { summary } = await runProfileText(
      `name: malformed
stages: [{ kind: constant, rateRps: 10, durationS: 1 }]
workload: { input: { kind: fixed, tokens: 20 }, output: { kind: fixed, tokens: 4 } }
`,
      sim.url,
    );
    expect(summary.totals.ok).toBe(10);

    const broken = await startSimServer({ config: parseSimConfig({ faults: [{ kind: 'invalidJson', afterTokens: 2 }] }) });
    const res = await runProfileText(
      `name: malformed
stages: [{ kind: constant, rateRps: 10, durationS: 1 }]
workload: { input: { kind: fixed, tokens: 20 }, output: { kind: fixed, tokens: 4 } }
`,
      broken.url,
    );
    await broken.close();
    expect(res.summary.totals).toMatchObject({ sent: 10, ok: 0, errors: 10 });
    expect(res.summary.totals.errorsByKind).toEqual({ malformed_payload: 10 });
    const results = readNdjson<RequestResult>(join(res.dir, 'results.ndjson'));
    // Tokens that arrived before the bad line are kept in the request's record.
    for (const r of results) expect(r.outputTokens).toBe(2);
  });
});
