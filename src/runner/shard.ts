/**
 * One schedule sent by N load generators: shard i of N sends a deterministic share, and the union
 * of the shares over i = 0..N-1 is exactly the whole schedule (pure; tested as a partition).
 *
 * - Open loop: arrival `seq` belongs to shard `seq % N`, at its planned instant. Round-robin over
 *   seq keeps each shard's share of every stage, every ramp and every burst within one request of
 *   1/N, so the shards' in-flight counts (and their per-shard limits) stay balanced.
 * - Closed loop: user u of a stage belongs to shard `u % N` (a shard may get none). User u's k-th
 *   request is request `k·N + i` of its shard's interleaving, so closed-loop seq numbers and token
 *   lengths stay unique across shards.
 */
import { UserError } from '../lib/errors.js';

export interface ShardSpec {
  /** 0 ≤ index < count. */
  index: number;
  count: number;
}

/** What run.json records about a shard (the merge checks these). */
export interface ShardInfo extends ShardSpec {
  /** sha256 of the canonical JSON of the expanded profile and seed (profile/hash.ts). */
  profileHash: string;
  /** The instant every shard starts at, epoch ms. */
  startAtMs: number;
  /** When this shard's clock actually reached the start, minus startAtMs (timer lateness, or a start already past). */
  measuredStartSkewMs?: number;
  /** This shard's concurrency limit: ceil(profile limit / count). */
  maxInFlight: number;
}

/** The whole schedule as one shard: what a run without --shard is. */
export const WHOLE: ShardSpec = { index: 0, count: 1 };

/** Whether open-loop arrival `seq` is this shard's to send. */
export function ownsArrival(seq: number, shard: ShardSpec): boolean {
  return seq % shard.count === shard.index;
}

/** How many of `total` items numbered 0..total-1 fall to this shard under `n % count` (users, a request cap). */
export function shareOf(total: number, shard: ShardSpec): number {
  return total > shard.index ? Math.floor((total - 1 - shard.index) / shard.count) + 1 : 0;
}

/** The stage-wide number of a shard's k-th closed-loop request: shards interleave, so numbers never collide. */
export function closedRequestNumber(k: number, shard: ShardSpec): number {
  return k * shard.count + shard.index;
}

/**
 * A shard's concurrency limit: the profile's limit split evenly, rounded up, so the shards
 * together allow at least the limit (at most count − 1 more) and each shard's connection pool is
 * sized to its share (DESIGN invariant 5).
 */
export function shardMaxInFlight(limit: number, shard: ShardSpec): number {
  return Math.ceil(limit / shard.count);
}

/** Parses `--shard i/N`. */
export function parseShardSpec(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || !(count >= 1) || !(index < count)) {
    throw new UserError('shard_invalid', `--shard '${text}' is not i/N with 0 ≤ i < N (e.g. --shard 0/4 … --shard 3/4)`);
  }
  return { index, count };
}

/** Sent late by more than this, a start instant is refused: the shards would not start together. */
export const START_AT_TOLERANCE_MS = 1000;

/**
 * Parses `--start-at`: epoch milliseconds or an ISO 8601 instant. Refuses an instant more than
 * START_AT_TOLERANCE_MS in the past (`nowMs` is the caller's clock).
 */
export function parseStartAt(text: string | number, nowMs: number): number {
  const raw = String(text).trim();
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) {
    throw new UserError('start_at_invalid', `--start-at '${raw}' is neither epoch milliseconds (e.g. 1767225600000) nor an ISO 8601 instant (e.g. 2026-01-01T00:00:00Z)`);
  }
  const startAtMs = Math.round(ms);
  const lateMs = nowMs - startAtMs;
  if (lateMs > START_AT_TOLERANCE_MS) {
    throw new UserError(
      'start_at_past',
      `--start-at ${new Date(startAtMs).toISOString()} was ${(lateMs / 1000).toFixed(1)} s ago: every shard must start at the same instant; choose a later one (e.g. with 'scalelab k8s render --start-in 120s')`,
    );
  }
  return startAtMs;
}
