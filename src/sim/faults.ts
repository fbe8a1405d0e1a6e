/**
 * Fault injection for the HTTP layer: draws each request's faults from the seeded rng and counts what
 * was actually injected, so tests can compare a client's error counts with the simulator's exactly.
 */
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import type { FaultsConfig } from './config.js';

/** The faults one request will get; each `…AfterTokens` fires once that many tokens were written. */
export interface FaultPlan {
  httpErrorStatus?: number;
  stallAfterTokens?: number;
  malformedAfterTokens?: number;
  disconnectAfterTokens?: number;
}

/** What was injected, counted when it happened (a planned fault that never fired is not counted). */
export interface InjectedCounts {
  httpErrors: number;
  /** Per-request stalls (faults.stall.probability). */
  stalls: number;
  /** Requests that had at least one write held by a stall window. */
  windowStalls: number;
  malformed: number;
  disconnects: number;
}

export type FaultKind = keyof InjectedCounts;

export class FaultInjector {
  private readonly rng: Rng;
  private readonly counts: InjectedCounts = { httpErrors: 0, stalls: 0, windowStalls: 0, malformed: 0, disconnects: 0 };

  /** `startMs`: the instant stall windows are measured from (the server's start). */
  constructor(
    private readonly config: FaultsConfig,
    seed: number,
    private readonly startMs: number,
  ) {
    this.rng = createRng(deriveSeed(seed, 'sim.faults'));
  }

  /** Draws a request's faults. Always four draws in a fixed order, so one fault's setting never shifts another's. */
  plan(): FaultPlan {
    const { httpError, stall, malformed, disconnect } = this.config;
    const fires = [httpError.probability, stall.probability, malformed.probability, disconnect.probability].map(
      (p) => this.rng.next() < p,
    );
    return {
      ...(fires[0] && { httpErrorStatus: httpError.status }),
      ...(fires[1] && { stallAfterTokens: stall.afterTokens }),
      ...(fires[2] && { malformedAfterTokens: malformed.afterTokens }),
      ...(fires[3] && { disconnectAfterTokens: disconnect.afterTokens }),
    };
  }

  get stallDurationMs(): number {
    return this.config.stall.durationMs;
  }

  /** If `tMs` falls in a stall window [startMs, endMs) (relative to the start), the window's absolute end. */
  windowEndAt(tMs: number): number | undefined {
    const sinceStartMs = tMs - this.startMs;
    const window = this.config.stall.windows.find((w) => sinceStartMs >= w.startMs && sinceStartMs < w.endMs);
    return window === undefined ? undefined : this.startMs + window.endMs;
  }

  count(kind: FaultKind): void {
    this.counts[kind]++;
  }

  injected(): InjectedCounts {
    return { ...this.counts };
  }
}
