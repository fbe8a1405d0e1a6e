/**
 * One aligned timeline of a run: the client's intervals (rates, in-flight, errors, percentiles
 * from the interval histograms) and the cloud's events on the same clock. The model the HTML
 * report charts: arrays of numbers and epoch-ms timestamps, plain JSON.
 */
import type { CapacitySample } from '../cloud/types.js';
import type { TimelineRow } from '../record/recorder.js';
import type { RunData } from '../report/run-data.js';
import { intervalLatency } from './intervals.js';
import { runSteps } from './figures.js';
import type { TimelineModel } from './types.js';

const perS = (n: number, lengthMs: number): number => (lengthMs > 0 ? Math.round((n * 1e6) / lengthMs) / 1000 : 0);

/** Current capacity in effect at each row's end: one pass, rows and samples both in time order. */
function capacityAtEnds(samples: readonly CapacitySample[], rows: readonly TimelineRow[]): (number | null)[] {
  let i = -1;
  return rows.map((r) => {
    const endMs = r.tMs + r.intervalMs;
    while (i + 1 < samples.length && (samples[i + 1]?.tMs ?? Infinity) <= endMs) i++;
    return samples[i]?.current ?? null;
  });
}

export function buildTimeline(run: RunData, options: { stepThresholdPct?: number } = {}): TimelineModel {
  const rows = run.timeline;
  const kinds = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.errorsByKind)) kinds.add(k);
  const errorsByKind: Record<string, number[]> = {};
  for (const k of [...kinds].sort()) {
    errorsByKind[k] = rows.map((r) => (r.errorsByKind as Record<string, number | undefined>)[k] ?? 0);
  }
  const series = (m: 'ttft' | 'e2e'): TimelineModel['latency']['ttft'] => {
    const ls = intervalLatency(run, m);
    return { p50: ls.map((l) => l.p50Ms), p90: ls.map((l) => l.p90Ms), p99: ls.map((l) => l.p99Ms) };
  };
  const cloud = run.cloud;
  const samples = cloud ? [...cloud.capacity].sort((a, b) => a.tMs - b.tMs) : [];
  const roles = new Map(cloud?.alarms.map((a) => [a.name, a.role]) ?? []);
  return {
    runStartMs: run.run.startMs,
    intervalMs: run.run.intervalMs,
    tMs: rows.map((r) => r.tMs),
    offsetS: rows.map((r) => r.offsetS),
    lengthS: rows.map((r) => r.intervalMs / 1000),
    offeredRps: rows.map((r) => r.offeredRps),
    sentRps: rows.map((r) => perS(r.sent, r.intervalMs)),
    okRps: rows.map((r) => perS(r.ok, r.intervalMs)),
    inFlight: rows.map((r) => r.inFlight),
    dropped: rows.map((r) => r.dropped),
    errors: rows.map((r) => r.errors + r.timeouts),
    errorsByKind,
    outputTokensPerS: rows.map((r) => r.outputTokensPerS),
    latency: { ttft: series('ttft'), e2e: series('e2e') },
    capacityCurrent: capacityAtEnds(samples, rows),
    capacity:
      cloud && samples.length > 0
        ? {
            unit: cloud.resource.kind === 'inference-component' ? 'copy' : 'instance',
            tMs: samples.map((s) => s.tMs),
            desired: samples.map((s) => s.desired),
            current: samples.map((s) => s.current),
          }
        : null,
    metrics: (cloud?.metrics ?? []).map((m) => ({
      id: m.id,
      metricName: m.metricName,
      stat: m.stat,
      periodS: m.periodS,
      tMs: m.points.map((p) => p.tMs),
      value: m.points.map((p) => p.value),
    })),
    alarms: [...(cloud?.alarmTransitions ?? [])]
      .sort((a, b) => a.tMs - b.tMs)
      .map((t) => ({ tMs: t.tMs, alarmName: t.alarmName, role: roles.get(t.alarmName) ?? 'other', from: t.from, to: t.to })),
    activities: [...(cloud?.activities ?? [])]
      .sort((a, b) => a.startMs - b.startMs)
      .map((a) => ({ startMs: a.startMs, endMs: a.endMs ?? null, statusCode: a.statusCode, toCapacity: a.toCapacity ?? null, description: a.description })),
    stages: (run.run.plan?.stages ?? []).map((s) => ({
      index: s.index,
      name: s.name,
      startMs: run.run.startMs + s.startMs,
      endMs: run.run.startMs + s.startMs + s.durationMs,
    })),
    steps: runSteps(run, options.stepThresholdPct).map((s) => ({ t0Ms: s.t0Ms, direction: s.direction, fromRps: s.fromRps, toRps: s.toRps })),
  };
}
