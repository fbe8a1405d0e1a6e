/** The expanded, seeded plan of a run: what the scheduler executes. Pure function of (profile, seed). */

export interface RequestSpec {
  inputTokens: number;
  outputTokens: number;
}

export interface PlannedRequest extends RequestSpec {
  seq: number;
  stage: number;
  /** Planned send time, ms from the run's start. */
  offsetMs: number;
}

export interface StagePlan {
  index: number;
  name: string;
  /** Offset of the stage from the run's start. */
  startMs: number;
  durationMs: number;
  mode: 'open' | 'closed';
  /** Open loop: the offered rate at the stage's start and end (equal unless ramping; sine gives mean). */
  startRateRps?: number;
  endRateRps?: number;
  /** Closed loop: concurrent users. */
  users?: number;
  /** Open loop: exact count of planned arrivals; closed loop: undefined (depends on the server). */
  expectedRequests?: number;
  /** One line for `scalelab validate`, e.g. "ramp 2 → 10 req/s, poisson". */
  description: string;
}

export interface Schedule {
  seed: number;
  durationMs: number;
  stages: StagePlan[];
  /** Open-loop arrivals across all open stages, non-decreasing offsetMs, seq from 0. */
  arrivals(): Iterable<PlannedRequest>;
  /** Offered load at an offset, for plots and step detection; closed stages report 0. */
  rateAt(offsetMs: number): number;
  /** Closed loop: the request spec for the n-th request of a stage (seeded, reproducible). */
  closedLoopSpec(stage: number, n: number): RequestSpec;
}
