/**
 * Fault injection: draws each request's faults from seeded rngs and counts what was actually injected,
 * so tests can compare a client's error counts with the simulator's exactly.
 *
 * Each configured kind has its own rng (seed derived from the kind's name) and draws once for every
 * request planned, whatever the other kinds drew: adding or changing one fault never shifts another's
 * sequence. A kind with `windows` draws only for requests arriving inside a window.
 */
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import {
  FAULT_KINDS,
  PRE_RESPONSE_FAULTS,
  type FaultConfig,
  type FaultKind,
  type MidStreamFaultKind,
  type PreResponseFaultKind,
} from './config.js';

export type PreResponseFault = Extract<FaultConfig, { kind: PreResponseFaultKind }>;
export type MidStreamFault = Extract<FaultConfig, { kind: MidStreamFaultKind }>;

/** The faults one request drew: at most one answers before the response; any mid-stream ones may act. */
export interface FaultPlan {
  /** The first pre-response kind (in PRE_RESPONSE_FAULTS order) that fired. */
  preResponse?: PreResponseFault;
  /** Fired mid-stream faults, in MID_STREAM_FAULTS order. */
  midStream: MidStreamFault[];
}

/** Injections per kind, counted when a fault actually acted (a drawn fault that never got its chance is not counted). */
export type InjectedCounts = Record<FaultKind, number>;

interface Armed {
  fault: FaultConfig;
  rng: Rng;
}

const isPreResponse = (f: FaultConfig): f is PreResponseFault => (PRE_RESPONSE_FAULTS as readonly string[]).includes(f.kind);

export class FaultInjector {
  private readonly armed: Armed[];
  private readonly counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as InjectedCounts;

  /** `startMs`: the instant windows are measured from (the server's start). */
  constructor(
    faults: readonly FaultConfig[],
    seed: number,
    private readonly startMs: number,
  ) {
    const order = (f: FaultConfig): number => FAULT_KINDS.indexOf(f.kind);
    this.armed = [...faults]
      .sort((a, b) => order(a) - order(b))
      .map((fault) => ({ fault, rng: createRng(deriveSeed(seed, `sim.faults.${fault.kind}`)) }));
  }

  /** Draws the faults of a request arriving at `nowMs`. */
  plan(nowMs: number): FaultPlan {
    const sinceStartS = (nowMs - this.startMs) / 1000;
    const fired = this.armed
      .filter(({ fault }) => fault.windows === undefined || fault.windows.some((w) => sinceStartS >= w.startS && sinceStartS < w.endS))
      .filter(({ fault, rng }) => rng.next() < fault.probability)
      .map(({ fault }) => fault);
    const preResponse = fired.find(isPreResponse);
    // `armed` is in FAULT_KINDS order, so these are in MID_STREAM_FAULTS order.
    const midStream = fired.filter((f): f is MidStreamFault => !isPreResponse(f));
    return { ...(preResponse && { preResponse }), midStream };
  }

  count(kind: FaultKind): void {
    this.counts[kind]++;
  }

  injected(): InjectedCounts {
    return { ...this.counts };
  }
}
