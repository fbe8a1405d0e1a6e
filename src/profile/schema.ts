/**
 * The profile file format: one strict zod schema (unknown keys are errors, so typos are caught),
 * with the defaults the runner relies on. `Profile` is what the schema outputs plus the files the
 * profile refers to (see load.ts).
 */
import { z } from 'zod';
import { RESPONSE_FORMATS } from '../stream/response.js';
import { PAYLOAD_FORMAT_NAMES, type PayloadTemplate } from '../targets/payloads.js';
import type { Dataset } from '../workload/dataset.js';
import { tokenDistributionSchema, type TokenDistribution } from '../workload/distributions.js';
import type { Trace } from '../workload/trace.js';
import { sloSchema, thresholdSloIssues, thresholdsSchema } from '../report/thresholds-schema.js';
import { arrivalProcessSchema } from './arrivals.js';
import { stageEntrySchema } from './shapes.js';

/** Token lengths used when a profile's workload leaves them out. */
export const DEFAULT_INPUT: TokenDistribution = { kind: 'fixed', tokens: 256 };
export const DEFAULT_OUTPUT: TokenDistribution = { kind: 'fixed', tokens: 64 };

const datasetRefSchema = z.strictObject({
  /** CSV or JSONL of token counts, relative to the profile file. */
  path: z.string().min(1),
  columns: z.strictObject({ input: z.string().min(1).optional(), output: z.string().min(1).optional() }).optional(),
});

/**
 * Either distributions (`input`, `output`, each defaulting to a fixed length) or a `dataset` file,
 * normalized to a tagged form the sampler consumes.
 */
const workloadSchema = z
  .strictObject({
    input: tokenDistributionSchema.optional(),
    output: tokenDistributionSchema.optional(),
    dataset: datasetRefSchema.optional(),
  })
  .refine((w) => w.dataset === undefined || (w.input === undefined && w.output === undefined), {
    path: ['dataset'],
    message: 'cannot be combined with input/output distributions: give one or the other',
  })
  .transform((w) =>
    w.dataset === undefined
      ? { kind: 'synthetic' as const, input: w.input ?? DEFAULT_INPUT, output: w.output ?? DEFAULT_OUTPUT }
      : { kind: 'dataset' as const, dataset: w.dataset },
  );

/** Request body and response format for SageMaker targets. */
const payloadSchema = z
  .strictObject({
    format: z.enum(PAYLOAD_FORMAT_NAMES).default('tgi'),
    /** JSON body with {{prompt}} and {{max_tokens}}, relative to the profile file; only with format: template. */
    templatePath: z.string().min(1).optional(),
    /** Container response format; `auto` detects it from the first bytes. */
    response: z.enum(RESPONSE_FORMATS).default('auto'),
  })
  .refine((p) => (p.format === 'template') === (p.templatePath !== undefined), {
    path: ['templatePath'],
    message: 'give templatePath exactly when format is template, e.g. payload: { format: template, templatePath: body.json }',
  });

const limitsSchema = z.strictObject({
  /** Requests in flight at most; an arrival beyond it is recorded as dropped. */
  maxInFlight: z.int().min(1).default(1000),
  requestTimeoutS: z.number().positive().default(120),
  maxRequests: z.int().min(1).optional(),
  maxDurationS: z.number().positive().optional(),
  /** Stop the run when the error rate over the last `windowS` exceeds `rate` (after `minRequests`). */
  abortOnErrorRate: z
    .strictObject({
      rate: z.number().min(0).max(1),
      windowS: z.number().positive().default(30),
      minRequests: z.int().min(1).default(20),
    })
    .optional(),
});

const recordingSchema = z.strictObject({
  /** Histogram interval. */
  intervalMs: z.int().min(10).default(1000),
  /** Write results.ndjson (one line per request). */
  results: z.boolean().default(true),
});

export const profileSchema = z.strictObject({
  /** Defaults to the file's base name (filled in by parseProfile). */
  name: z.string().min(1),
  description: z.string().default(''),
  /** Seeds every random choice; the CLI's --seed overrides it. */
  seed: z.int().min(0).max(0xffffffff).default(1),
  /** Default target (e.g. `sim`, a URL, `sagemaker:endpoint-name`); the CLI's --target overrides it. */
  target: z.string().min(1).optional(),
  api: z.enum(['openai-chat', 'openai-completions', 'tgi']).default('openai-chat'),
  model: z.string().min(1).optional(),
  payload: payloadSchema.prefault({}),
  /** Default arrival process of open-loop stages that do not set their own. */
  arrivals: arrivalProcessSchema.default({ kind: 'uniform' }),
  stages: z.array(stageEntrySchema).min(1),
  workload: workloadSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  recording: recordingSchema.prefault({}),
  /** After the last stage, wait this long for in-flight streams before cancelling them. */
  gracePeriodS: z.number().min(0).default(10),
  /** Latency objectives: goodput, recovery and SLO debt read them. */
  slo: sloSchema.prefault({}),
  /** Pass/fail conditions checked after the run (exit 99 when one fails), e.g. "ttft.p99 < 2000". */
  thresholds: thresholdsSchema,
}).superRefine((p, ctx) => {
  for (const [i, message] of thresholdSloIssues(p.thresholds, p.slo)) {
    ctx.addIssue({ code: 'custom', path: ['thresholds', i], message, input: p.thresholds[i]?.expression });
  }
});

export type ProfileSpec = z.infer<typeof profileSchema>;
export type Workload = ProfileSpec['workload'];

/**
 * Where the profile came from and the files it refers to, loaded once so expansion stays pure.
 * Serializes (e.g. into run.json) as paths and row counts, not the rows.
 */
export class ProfileSource {
  constructor(
    /** The profile file. */
    readonly path: string,
    /** Loaded traces by the index of their entry in `stages`. */
    readonly traces: ReadonlyMap<number, Trace>,
    readonly dataset: Dataset | undefined,
    /** The loaded `payload.templatePath`, when the payload format is `template`. */
    readonly payloadTemplate?: PayloadTemplate,
  ) {}

  /** The trace of `stages[entryIndex]`; a programming error if it was not loaded. */
  trace(entryIndex: number): Trace {
    const trace = this.traces.get(entryIndex);
    if (trace === undefined) throw new Error(`the trace of stages[${entryIndex}] was not loaded with the profile`);
    return trace;
  }

  toJSON(): unknown {
    return {
      path: this.path,
      traces: [...this.traces.values()].map((t) => ({ path: t.path, rows: t.offsetsMs.length })),
      dataset: this.dataset && { path: this.dataset.path, rows: this.dataset.inputTokens.length },
      ...(this.payloadTemplate && { payloadTemplate: this.payloadTemplate.path }),
    };
  }
}

/** A validated profile with its defaults applied and its files loaded. */
export type Profile = ProfileSpec & { readonly source: ProfileSource };
