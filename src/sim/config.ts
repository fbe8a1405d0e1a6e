/**
 * The simulator's configuration (sims/*.yaml): the serving model, the HTTP layer, and injected faults.
 *
 * Every field has a default; the defaults describe a Llama-3-8B-like model on one A10G-class GPU
 * (shared/FACTS.md, "Serving model defaults" — typical public benchmark figures, not AWS documentation):
 *
 * - prefill: 40 ms + inputTokens / 4000 tok/s  → a 512-token prompt alone gets its first token at 168 ms;
 * - decode: stepMs = 28 × (1 + 0.8 × (active − 1) / 31) with 32 slots
 *   → 35.7 tok/s for one sequence alone, 412 tok/s aggregate at 16 active, 635 tok/s at 32 (full batch).
 *
 * See timing.ts for the formulas.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { errorMessage, UserError } from '../lib/errors.js';

const probability = z.number().min(0).max(1);
const positiveMs = z.number().positive();

/** The serving model: copies × batch slots with continuous batching (see model.ts and timing.ts). */
export const modelConfigSchema = z.strictObject({
  /** Model copies (replicas), each with its own slots and queue; requests routed by least outstanding. */
  copies: z.number().int().min(1).default(1),
  /** Sequences one copy serves at once (continuous batching). */
  batchSlots: z.number().int().min(1).default(32),
  /** Prefill throughput: prefillMs = prefillOverheadMs + inputTokens × 1000 / prefillTokensPerS. */
  prefillTokensPerS: z.number().positive().default(4000),
  /** Fixed cost of every prefill (scheduling, first forward pass setup). */
  prefillOverheadMs: z.number().min(0).default(40),
  /** Decode step with one active sequence: 1000 / baseStepMs tok/s alone. */
  baseStepMs: positiveMs.default(28),
  /** Fractional step slow-down at a full batch: stepMs(full) = baseStepMs × (1 + slowdownAtFullBatch). */
  slowdownAtFullBatch: z.number().min(0).default(0.8),
  /** Per-copy queue limit; a request arriving at a full queue is rejected. Absent: unbounded. */
  maxQueue: z.number().int().min(0).optional(),
  /** Per-token probability of end-of-sequence after the first token (geometric length); 0 = every request runs to its max. */
  eosProbabilityPerToken: probability.default(0),
  /** How many finished requests' timing records are kept (newest win). */
  groundTruthLimit: z.number().int().min(1).default(100_000),
});

/** How a token's text is made: `words` cycles a fixed list of short words, `numbered` is " t<index>". */
export const TOKEN_TEXT_MODES = ['words', 'numbered'] as const;
export type TokenTextMode = (typeof TOKEN_TEXT_MODES)[number];

export const serverConfigSchema = z.strictObject({
  /** Echoed as `model` when the request names none. */
  modelName: z.string().min(1).default('llama-3-8b-sim'),
  tokenTextMode: z.enum(TOKEN_TEXT_MODES).default('words'),
  /** Output tokens when the request gives no max_tokens / max_new_tokens. */
  defaultMaxTokens: z.number().int().min(1).default(256),
});

const afterTokens = z.number().int().min(1).default(1);

const windowSchema = z
  .strictObject({ startMs: z.number().min(0), endMs: z.number().min(0) })
  .refine((w) => w.endMs > w.startMs, { message: 'endMs must be after startMs' });

/**
 * Faults injected by the HTTP layer. Each is drawn once per request from the seeded rng (probability 1
 * always fires, 0 never). Stall, malformed and disconnect apply to streaming responses only and fire
 * once `afterTokens` tokens have been written; a response shorter than that is not affected (and not counted).
 */
export const faultsConfigSchema = z.strictObject({
  /** Answer with `status` and a JSON error body instead of serving the request. */
  httpError: z
    .strictObject({ probability: probability.default(0), status: z.number().int().min(400).max(599).default(500) })
    .prefault({}),
  /**
   * Hold the stream's bytes for `durationMs` (per request, with `probability`), and hold every write due
   * inside a window (ms since the server started) until the window ends.
   */
  stall: z
    .strictObject({
      probability: probability.default(0),
      durationMs: positiveMs.default(5000),
      afterTokens,
      windows: z.array(windowSchema).default([]),
    })
    .prefault({}),
  /** Write one line of invalid JSON into the stream, then carry on. */
  malformed: z.strictObject({ probability: probability.default(0), afterTokens }).prefault({}),
  /** Destroy the socket mid-stream (the model request is cancelled). */
  disconnect: z.strictObject({ probability: probability.default(0), afterTokens }).prefault({}),
});

export const simConfigSchema = z.strictObject({
  /** Seeds the EOS draws and the fault draws. */
  seed: z.number().int().default(1),
  model: modelConfigSchema.prefault({}),
  server: serverConfigSchema.prefault({}),
  faults: faultsConfigSchema.prefault({}),
});

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type FaultsConfig = z.output<typeof faultsConfigSchema>;
export type SimConfig = z.output<typeof simConfigSchema>;
/** What a YAML file or a test may write: every field optional. */
export type SimConfigInput = z.input<typeof simConfigSchema>;

/**
 * Validates a config object; `source` names where it came from in error messages.
 * @throws UserError `sim_config_invalid` naming the source and every bad field.
 */
export function parseSimConfig(input: unknown, source = 'sim config'): SimConfig {
  const result = simConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return `${field}: ${issue.message}`;
  });
  throw new UserError('sim_config_invalid', `${source}: invalid simulator config\n  ${problems.join('\n  ')}`);
}

/**
 * Reads and validates a YAML simulator config.
 * @throws UserError `sim_config_invalid` naming the file and the field (or the YAML line).
 */
export async function loadSimConfig(path: string): Promise<SimConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new UserError('sim_config_invalid', `${path}: cannot read simulator config: ${errorMessage(e)}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e: unknown) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new UserError('sim_config_invalid', `${path}${where}: not valid YAML: ${errorMessage(e)}`, { cause: e });
  }
  return parseSimConfig(raw, path);
}
