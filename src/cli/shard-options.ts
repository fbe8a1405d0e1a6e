/** `run --shard i/N --start-at T`: the flags, parsed into what runOptionsFor takes. */
import { parseShardSpec, parseStartAt, type ShardSpec } from '../runner/shard.js';

export const SHARD_CLI_OPTIONS = {
  shard: {
    type: 'string',
    describe: "send shard i of N of the schedule, e.g. 0/4 (needs --start-at; merge the N run directories with 'scalelab merge')",
    implies: 'start-at',
  },
  'start-at': {
    type: 'string',
    describe: 'start at this instant: epoch ms or ISO 8601 (the same for every shard; refused when already past)',
  },
} as const;

export interface ShardArgs {
  shard?: string;
  'start-at'?: string;
}

export interface ShardRunInput {
  startAtMs?: number;
  shard?: ShardSpec & { startAtMs: number };
}

/** The flags as runOptionsFor's input; UserError on a malformed shard or a start instant already past. */
export function shardRunInput(args: ShardArgs, nowMs: number): ShardRunInput {
  const startAtMs = args['start-at'] === undefined ? undefined : parseStartAt(args['start-at'], nowMs);
  if (startAtMs === undefined) return {};
  return args.shard === undefined ? { startAtMs } : { startAtMs, shard: { ...parseShardSpec(args.shard), startAtMs } };
}

/** The line printed before waiting for the start instant ('' when the run starts at once). */
export function startLine(input: ShardRunInput, nowMs: number): string {
  if (input.startAtMs === undefined) return '';
  const who = input.shard ? `shard ${input.shard.index}/${input.shard.count}` : 'run';
  return `${who} starts at ${new Date(input.startAtMs).toISOString()} (in ${((input.startAtMs - nowMs) / 1000).toFixed(1)} s)\n`;
}
