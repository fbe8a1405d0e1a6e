/**
 * The capacity part of the simulator's config: instance types (how many GPUs each has), and how
 * long a scale-out takes, phase by phase.
 *
 * Phase defaults (shared/FACTS.md, "A new instance for an 8B model: about 4–9 minutes to serve";
 * image pull ~5.5 min uncached, model download ~3 min, container caching 525 s → 258 s): a cached
 * image is assumed, so a new instance serves after launch 60 s + image pull 150 s + model download
 * 60 s + model load 45 s = 315 s (5 min 15 s). A new copy on an instance with room only loads the
 * model: 45 s (FACTS: ~1–3 min [inferred]; the short end, the weights being on the instance).
 */
import { z } from 'zod';

const seconds = z.number().min(0);

export const phaseDurationsSchema = z.strictObject({
  /** EC2 capacity found, instance booted, joined the endpoint. */
  launchS: seconds.default(60),
  /** The serving container's image pulled (cached: ~150 s; uncached: ~330 s). */
  imagePullS: seconds.default(150),
  /** Model weights copied from S3 to the instance. */
  modelDownloadS: seconds.default(60),
  /** Weights loaded onto the GPU, container healthy: the only phase of a copy on an instance with room. */
  modelLoadS: seconds.default(45),
});

export const instanceTypeSchema = z.strictObject({
  /** Accelerator devices: inference-component copies needing `acceleratorsPerCopy` each share them. */
  gpus: z.number().int().min(1),
});

/** GPU counts of common SageMaker GPU instance types; `capacity.instanceTypes` adds or overrides. */
export const BUILT_IN_INSTANCE_TYPES: Readonly<Record<string, { gpus: number }>> = {
  'ml.g5.xlarge': { gpus: 1 },
  'ml.g5.2xlarge': { gpus: 1 },
  'ml.g5.4xlarge': { gpus: 1 },
  'ml.g5.8xlarge': { gpus: 1 },
  'ml.g5.12xlarge': { gpus: 4 },
  'ml.g5.24xlarge': { gpus: 4 },
  'ml.g5.48xlarge': { gpus: 8 },
  'ml.g6.xlarge': { gpus: 1 },
  'ml.g6.2xlarge': { gpus: 1 },
  'ml.g6.12xlarge': { gpus: 4 },
  'ml.g6.48xlarge': { gpus: 8 },
  'ml.p4d.24xlarge': { gpus: 8 },
};

export const capacityConfigSchema = z.strictObject({
  /** Instance type of a variant or component endpoint that names none. */
  defaultInstanceType: z.string().min(1).default('ml.g5.2xlarge'),
  /** Extra instance types, or other GPU counts for built-in ones. */
  instanceTypes: z.record(z.string().min(1), instanceTypeSchema).default({}),
  phases: phaseDurationsSchema.prefault({}),
});

export type PhaseDurations = z.output<typeof phaseDurationsSchema>;
export type CapacityConfig = z.output<typeof capacityConfigSchema>;

/** GPUs of `instanceType`, from the config's table then the built-in one; undefined when unknown. */
export function instanceGpus(config: CapacityConfig, instanceType: string): number | undefined {
  return config.instanceTypes[instanceType]?.gpus ?? BUILT_IN_INSTANCE_TYPES[instanceType]?.gpus;
}
