import type { RequestError, TokenSource } from '../targets/types.js';

export type Outcome = 'ok' | 'error' | 'dropped' | 'timeout' | 'cancelled';

/**
 * One request's record of named instants (epoch ms). Latency is measured from `intendedMs`,
 * the planned send time, never from `sentMs` (DESIGN invariant 1).
 */
export interface RequestResult {
  seq: number;
  stage: number;
  intendedMs: number;
  sentMs?: number;
  firstByteMs?: number;
  firstTokenMs?: number;
  lastTokenMs?: number;
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  /** How outputTokens was counted; absent when no token arrived. */
  tokenSource?: TokenSource;
  outcome: Outcome;
  error?: RequestError;
}
