/**
 * The simulator's configuration (sims/*.yaml): the serving model, the HTTP layer, the SageMaker
 * endpoints, and injected faults.
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
import { scalableTargetSchema } from './autoscaling-config.js';
import { capacityConfigSchema } from './capacity-config.js';
import { controlPlaneConfigSchema } from './cloud/control-plane.js';

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

/** The payload formats a SageMaker variant or inference component's container speaks (payloads/). */
export const PAYLOAD_FORMATS = ['tgi', 'lmi', 'openai'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/**
 * Fault kinds, in the order they are considered. The first eight answer before the response (one
 * error status each); the rest act on a streaming response once `afterTokens` tokens went out.
 */
export const PRE_RESPONSE_FAULTS = [
  'validation',
  'noCapacity',
  'modelError',
  'modelNotReady',
  'throttling',
  'internalFailure',
  'serviceUnavailable',
  'internalDependency',
] as const;
export const MID_STREAM_FAULTS = [
  'invalidJson',
  'stall',
  'slowTokens',
  'corruptFrame',
  'truncatedFrame',
  'modelStreamError',
  'internalStreamFailure',
  'disconnect',
] as const;
export type PreResponseFaultKind = (typeof PRE_RESPONSE_FAULTS)[number];
export type MidStreamFaultKind = (typeof MID_STREAM_FAULTS)[number];
export type FaultKind = PreResponseFaultKind | MidStreamFaultKind;
export const FAULT_KINDS: readonly FaultKind[] = [...PRE_RESPONSE_FAULTS, ...MID_STREAM_FAULTS];

const windowSchema = z
  .strictObject({ startS: z.number().min(0), endS: z.number().min(0) })
  .refine((w) => w.endS > w.startS, { message: 'endS must be after startS' });

/**
 * When a fault fires: each request drawn with `probability` (1 = every request, the default), and
 * only for requests arriving inside one of `windows` (seconds since the server started) when given.
 */
const when = {
  probability: probability.default(1),
  windows: z.array(windowSchema).min(1).optional(),
};
/** Tokens written before a mid-stream fault acts (0: before the first token). */
const afterTokens = z.number().int().min(0).default(1);
/** Replaces the AWS-like default message of an error fault. */
const message = z.string().min(1).optional();

const preResponseFault = <K extends PreResponseFaultKind>(kind: K) =>
  z.strictObject({ kind: z.literal(kind), ...when, message });
const midStreamFault = <K extends MidStreamFaultKind>(kind: K) => z.strictObject({ kind: z.literal(kind), ...when, afterTokens });

/** One fault entry of `faults:`; see FAULT_KINDS and src/sim/README.md for what each does on the wire. */
export const faultSchema = z.discriminatedUnion('kind', [
  preResponseFault('validation'),
  preResponseFault('noCapacity'),
  preResponseFault('modelError').extend({
    /** The status the container answered with, reported as OriginalStatusCode. */
    originalStatusCode: z.number().int().min(400).max(599).default(500),
    originalMessage: z.string().default('injected model failure'),
  }),
  preResponseFault('modelNotReady'),
  preResponseFault('throttling'),
  preResponseFault('internalFailure'),
  preResponseFault('serviceUnavailable'),
  preResponseFault('internalDependency'),
  midStreamFault('invalidJson'),
  midStreamFault('stall').extend({ durationMs: positiveMs.default(5000) }),
  /** Every later gap between tokens stretched by `factor` (not an error). */
  midStreamFault('slowTokens').extend({ factor: z.number().min(1).default(3) }),
  midStreamFault('corruptFrame'),
  midStreamFault('truncatedFrame'),
  midStreamFault('modelStreamError').extend({ errorCode: z.string().min(1).default('ModelInvocationTimeExceeded'), message }),
  midStreamFault('internalStreamFailure').extend({ message }),
  midStreamFault('disconnect'),
]);

/** SageMaker resource names: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ as the SageMaker API requires. */
const resourceName = z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'not a valid SageMaker name');

const targetFields = {
  name: resourceName,
  payload: z.enum(PAYLOAD_FORMATS).default('tgi'),
  /** This target's own serving model (defaults as the top-level `model`, not merged with it). */
  model: modelConfigSchema.prefault({}),
};

/**
 * A production variant: traffic shared by `weight` unless the request names a target variant.
 * Each instance runs `model.copies` copies of the model.
 */
export const variantConfigSchema = z.strictObject({
  ...targetFields,
  weight: z.number().positive().default(1),
  /** Default: `capacity.defaultInstanceType`. */
  instanceType: z.string().min(1).optional(),
  /** Instances in service at start. */
  initialInstanceCount: z.number().int().min(1).default(1),
});
/**
 * An inference component: invoked by name (X-Amzn-SageMaker-Inference-Component). Its copies are
 * placed on its endpoint's instances, `acceleratorsPerCopy` GPUs each.
 */
export const componentConfigSchema = z.strictObject({
  ...targetFields,
  /** Copies in service at start (RuntimeConfig.CopyCount); 0 for a component scaled to zero. Default: model.copies. */
  copyCount: z.number().int().min(0).optional(),
  /** ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired. */
  acceleratorsPerCopy: z.number().int().min(1).default(1),
});

/** A refinement: no two items share `item[key]`. */
function unique<K extends string>(key: K, what: string) {
  return (items: ReadonlyArray<Record<K, string>>, ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    for (const [index, item] of items.entries()) {
      if (seen.has(item[key])) ctx.addIssue({ code: 'custom', path: [index, key], message: `duplicate ${what} '${item[key]}'` });
      seen.add(item[key]);
    }
  };
}

/** A SageMaker endpoint hosts either production variants with their models, or inference components. */
export const endpointConfigSchema = z
  .strictObject({
    name: resourceName,
    variants: z.array(variantConfigSchema).default([]).superRefine(unique('name', 'variant name')),
    inferenceComponents: z.array(componentConfigSchema).default([]).superRefine(unique('name', 'component name')),
    /** Inference-component endpoints: the instance type of the shared instances. Default: `capacity.defaultInstanceType`. */
    instanceType: z.string().min(1).optional(),
    /** Inference-component endpoints: instances at start. Default: enough for the components' initial copies, at least the minimum. */
    initialInstanceCount: z.number().int().min(0).optional(),
    /**
     * Inference-component endpoints: instances come and go with the copies (an instance launches
     * when a copy finds no room, and goes when its last copy does), within these bounds.
     */
    managedInstanceScaling: z
      .strictObject({ minInstanceCount: z.number().int().min(0).default(1), maxInstanceCount: z.number().int().min(1).default(4) })
      .refine((m) => m.minInstanceCount <= m.maxInstanceCount, { message: 'minInstanceCount must not exceed maxInstanceCount' })
      .prefault({}),
  })
  .refine((e) => (e.variants.length > 0) !== (e.inferenceComponents.length > 0), {
    message: 'give either variants or inferenceComponents (one or more), not both',
  });

/** How the SageMaker Runtime routes answer, beyond the endpoints. */
export const sagemakerConfigSchema = z.strictObject({
  /** Appears in AWS messages ("Endpoint x of account 123456789012 not found.") and ARNs. */
  accountId: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').default('123456789012'),
  region: z.string().min(1).default('us-east-1'),
  /** Probability that a stream line is split across two PayloadParts (clients must buffer to the newline). */
  splitLines: probability.default(0),
});

export const simConfigSchema = z.strictObject({
  /** Seeds the EOS draws, the fault draws, variant choice by weight and line splits. */
  seed: z.number().int().default(1),
  model: modelConfigSchema.prefault({}),
  server: serverConfigSchema.prefault({}),
  sagemaker: sagemakerConfigSchema.prefault({}),
  /**
   * SageMaker endpoints served at /endpoints/{name}/invocations[-response-stream]. None: one endpoint
   * `sim-endpoint` with variant `AllTraffic` (payload tgi) on the top-level model.
   */
  endpoints: z.array(endpointConfigSchema).default([]).superRefine(unique('name', 'endpoint name')),
  /** At most one entry per kind. */
  faults: z
    .array(faultSchema)
    .default([])
    .superRefine(unique('kind', 'fault kind')),
  /** Instance types and scale-out phase durations (capacity-config.ts). */
  capacity: capacityConfigSchema.prefault({}),
  /** The simulated CloudWatch and Application Auto Scaling: metric delivery lags, alarm cadence, cooldown defaults… */
  controlPlane: controlPlaneConfigSchema.prefault({}),
  /** Scalable targets and their policies, registered at start (autoscaling-config.ts). */
  autoscaling: z.array(scalableTargetSchema).default([]).superRefine(unique('resourceId', 'scalable target')),
});

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type SageMakerConfig = z.output<typeof sagemakerConfigSchema>;
export type EndpointConfig = z.output<typeof endpointConfigSchema>;
export type VariantConfig = z.output<typeof variantConfigSchema>;
export type ComponentConfig = z.output<typeof componentConfigSchema>;
export type FaultConfig = z.output<typeof faultSchema>;
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
