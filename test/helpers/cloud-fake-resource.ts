/**
 * A stand-in for the capacity model's scalable resources: desired capacity moves at once,
 * current capacity follows after a provisioning delay (scale-out) or a release delay (scale-in)
 * on the clock, and listeners hear every change of current capacity.
 */
import type { Clock } from '../../src/lib/clock.js';
import type { CapacityListener, ScalableDimension, ScalableResource } from '../../src/sim/cloud/types.js';

export interface FakeResourceOptions {
  resourceId: string;
  scalableDimension: ScalableDimension;
  initialCapacity: number;
  /** Time for added capacity to come into service. */
  provisioningDelayMs: number;
  /** Time for removed capacity to leave service. Default 0. */
  releaseDelayMs?: number;
  /** setDesiredCapacity throws above this (to test Failed activities). */
  refuseAbove?: number;
}

export class FakeResource implements ScalableResource {
  readonly resourceId: string;
  readonly scalableDimension: ScalableDimension;
  private desired: number;
  private current: number;
  private readonly listeners = new Set<CapacityListener>();
  /** Every setDesiredCapacity call, with its instant. */
  readonly requests: { atMs: number; capacity: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly options: FakeResourceOptions,
  ) {
    this.resourceId = options.resourceId;
    this.scalableDimension = options.scalableDimension;
    this.desired = options.initialCapacity;
    this.current = options.initialCapacity;
  }

  desiredCapacity(): number {
    return this.desired;
  }

  currentCapacity(): number {
    return this.current;
  }

  setDesiredCapacity(n: number): void {
    if (this.options.refuseAbove !== undefined && n > this.options.refuseAbove) {
      throw new Error(`capacity ${n} exceeds the account quota of ${this.options.refuseAbove}`);
    }
    this.requests.push({ atMs: this.clock.nowMs(), capacity: n });
    this.desired = n;
    const delayMs = n > this.current ? this.options.provisioningDelayMs : (this.options.releaseDelayMs ?? 0);
    this.clock.setTimer(this.clock.nowMs() + delayMs, () => {
      // Only move if this request still points the way the latest desired value does.
      const towardDesired = n > this.current ? this.desired >= n : this.desired <= n;
      if (n === this.current || !towardDesired) return;
      this.current = n;
      for (const l of this.listeners) l(n);
    });
  }

  onCapacityChange(listener: CapacityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
