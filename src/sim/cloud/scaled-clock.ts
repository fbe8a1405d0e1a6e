/**
 * A Clock whose time runs `factor` times faster than another one from an origin instant, so the
 * control plane can run in "model time" for real-time demos: with factor 10 a 300 s cooldown lasts
 * 30 wall seconds, a 10 s metric period 1 wall second.
 *
 * model time = originMs + (inner time − originMs) × factor, hence at the origin both clocks agree.
 * Everything inside the control plane (metric timestamps, periods, lags, alarm windows, cooldowns,
 * provisioning) is expressed in model time and simply uses this Clock; only the mapping to the wall
 * lives here. Whoever feeds the control plane (the simulator's publishers, the capacity model) must
 * stamp data with this clock too, and a reader comparing AWS timestamps with its own wall clock
 * must map them back with {@link ScaledClock.toInnerMs}.
 */
import type { Clock } from '../../lib/clock.js';

export interface ScaledClockOptions {
  /** How many times faster model time runs; > 0. 1 makes the wrapper transparent. */
  factor: number;
  /** The instant (on the inner clock) where both clocks agree; defaults to the inner clock's now. */
  originMs?: number;
}

export class ScaledClock implements Clock {
  readonly factor: number;
  readonly originMs: number;

  constructor(
    private readonly inner: Clock,
    options: ScaledClockOptions,
  ) {
    if (!(options.factor > 0) || !Number.isFinite(options.factor)) {
      throw new RangeError(`time scale factor must be a positive number, got ${options.factor}`);
    }
    this.factor = options.factor;
    this.originMs = options.originMs ?? inner.nowMs();
  }

  /** A model-time instant → the inner clock's instant. */
  toInnerMs(modelMs: number): number {
    return this.originMs + (modelMs - this.originMs) / this.factor;
  }

  /** An inner-clock instant → model time. */
  toModelMs(innerMs: number): number {
    return this.originMs + (innerMs - this.originMs) * this.factor;
  }

  nowMs(): number {
    return this.toModelMs(this.inner.nowMs());
  }

  sleepUntil(tMs: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleepUntil(this.toInnerMs(tMs), signal);
  }

  setTimer(tMs: number, fn: () => void): () => void {
    return this.inner.setTimer(this.toInnerMs(tMs), fn);
  }
}
