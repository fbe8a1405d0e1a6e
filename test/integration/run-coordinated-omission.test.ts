/**
 * Coordinated omission: latency is measured from the planned send time, so a stall — of the server
 * or of the client itself — shows in the percentiles instead of being hidden by a late send.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestResult } from '../../src/record/types.js';
import { startFixtureServer, sseScript, openaiChatPayloads, type FixtureServer } from '../helpers/fixture-server.js';
import { readNdjson, runProfileText } from '../helpers/run-helpers.js';

const PROFILE = (rateRps: number, durationS: number, maxInFlight = 1000): string => `name: co
stages: [{ kind: constant, rateRps: ${rateRps}, durationS: ${durationS} }]
workload: { input: { kind: fixed, tokens: 16 }, output: { kind: fixed, tokens: 2 } }
limits: { maxInFlight: ${maxInFlight}, requestTimeoutS: 30 }
`;

describe('coordinated omission', () => {
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Answers at once, except that every answer due in [fromMs, toMs) is held until toMs. */
  async function stallingServer(fromMs: number, toMs: number): Promise<FixtureServer> {
    return startFixtureServer(() => {
      const now = Date.now();
      const waitMs = now >= fromMs && now < toMs ? toMs - now : 0;
      return [{ wait: waitMs }, ...sseScript(openaiChatPayloads(['a', 'b'], { promptTokens: 16, completionTokens: 2 }))];
    });
  }

  it('a server stall shows in the TTFT percentiles measured from the planned send time', async () => {
    const start = Date.now();
    server = await stallingServer(start + 1000, start + 3000);
    const { summary, dir } = await runProfileText(PROFILE(20, 5), server.url);
    expect(summary.totals).toMatchObject({ sent: 100, ok: 100, dropped: 0 });
    // 40 of 100 requests arrive during the 2 s stall, waiting from 2 s down to 0: p99 ≈ 1.95 s, max ≈ 2 s.
    expect(summary.metrics.ttft!.maxMs).toBeGreaterThan(1800);
    expect(summary.metrics.ttft!.p99Ms).toBeGreaterThan(1700);
    expect(summary.metrics.ttft!.p50Ms).toBeLessThan(1000);
    // The sends themselves were on time: the stall is the server's.
    expect(summary.metrics.lag!.p99Ms).toBeLessThan(summary.metrics.ttft!.p99Ms / 10);
    const stalled = readNdjson<RequestResult>(join(dir, 'results.ndjson')).filter((r) => r.firstTokenMs! - r.intendedMs > 500);
    expect(stalled.length).toBeGreaterThanOrEqual(25);
  });

  it('a client stall shows in the schedule-lag histogram and in the latency of the late requests', async () => {
    server = await startFixtureServer(sseScript(openaiChatPayloads(['a', 'b'], { promptTokens: 16, completionTokens: 2 })));
    // Block this process's event loop for 1 s, 2 s into the run: planned sends pile up behind it.
    const blocker = setTimeout(() => {
      const until = Date.now() + 1000;
      while (Date.now() < until);
    }, 2000);
    const { summary } = await runProfileText(PROFILE(20, 4), server.url);
    clearTimeout(blocker);
    expect(summary.totals).toMatchObject({ sent: 80, ok: 80 });
    // ~20 sends planned inside the blocked second leave late by up to 1 s.
    expect(summary.metrics.lag!.maxMs).toBeGreaterThan(900);
    expect(summary.metrics.lag!.p90Ms).toBeGreaterThan(400);
    // Measured from the planned send, their latency carries the lag; measured from the send it would not.
    expect(summary.metrics.ttft!.maxMs).toBeGreaterThan(900);
    expect(summary.metrics.e2e!.p90Ms).toBeGreaterThan(400);
  });

  it('arrivals over the in-flight limit during a stall are dropped, counted and shown', async () => {
    const start = Date.now();
    server = await stallingServer(start + 500, start + 2500);
    const { summary, dir } = await runProfileText(PROFILE(20, 3, 5), server.url);
    expect(server.maxInFlight).toBeLessThanOrEqual(5);
    expect(summary.totals.dropped).toBeGreaterThan(20);
    expect(summary.totals.sent + summary.totals.dropped).toBe(60);
    const timeline = readNdjson<{ dropped: number }>(join(dir, 'timeline.ndjson'));
    expect(timeline.reduce((n, r) => n + r.dropped, 0)).toBe(summary.totals.dropped);
  });
});
