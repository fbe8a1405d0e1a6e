/**
 * experiments/*.yaml: a profile, a target, the scalable resource, and the scaling configurations
 * (variants) to compare on it. Unknown keys are errors; every message names the file and the field.
 *
 * ```yaml
 * name: fast-autoscaling
 * profile: ../profiles/llama3-step.yaml          # relative to this file
 * target: { sim: ../sims/llama3-8b-g5.yaml }     # or target: sagemaker:my-endpoint?region=us-west-2
 * resource: { endpoint: llama3-8b, variant: AllTraffic }   # or { inferenceComponent: ic-1 }
 * seed: 7                                        # the same traffic for every variant
 * baseline: { waitForMin: { timeoutS: 1800 } }   # or { setDesired: 1, timeoutS: 900 }
 * settleS: 60
 * variants:
 *   - name: invocations
 *     minCapacity: 1
 *     maxCapacity: 2
 *     targetTracking: { predefinedMetric: SageMakerVariantInvocationsPerInstance, targetValue: 40 }
 *   - name: step
 *     minCapacity: 1
 *     maxCapacity: 2
 *     stepScaling:
 *       alarm: { metric: ConcurrentRequestsPerModel, stat: Maximum, periodS: 10, evaluationPeriods: 3, threshold: 5 }
 *       steps: [{ lower: 0, adjustment: 1 }]
 * ```
 */
import { z } from 'zod';

export const PREDEFINED_METRICS = [
  'SageMakerVariantInvocationsPerInstance',
  'SageMakerInferenceComponentInvocationsPerCopy',
  'SageMakerVariantConcurrentRequestsPerModelHighResolution',
  'SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution',
] as const;

const STATISTICS = ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'] as const;
const seconds = z.number().int().min(0);
const dimensions = z.record(z.string(), z.string());

const customizedMetricSchema = z.strictObject({
  namespace: z.string().min(1).default('AWS/SageMaker'),
  metricName: z.string().min(1),
  /** Default: the resource's own (EndpointName + VariantName, or InferenceComponentName). */
  dimensions: dimensions.optional(),
  statistic: z.enum(STATISTICS).default('Average'),
  unit: z.string().min(1).optional(),
});

const targetTrackingSchema = z
  .strictObject({
    predefinedMetric: z.enum(PREDEFINED_METRICS).optional(),
    customizedMetric: customizedMetricSchema.optional(),
    targetValue: z.number().positive(),
    scaleInCooldownS: seconds.optional(),
    scaleOutCooldownS: seconds.optional(),
    disableScaleIn: z.boolean().default(false),
  })
  .refine((t) => (t.predefinedMetric === undefined) !== (t.customizedMetric === undefined), {
    message: 'give exactly one of predefinedMetric or customizedMetric',
  });

const stepScalingSchema = z.strictObject({
  alarm: z.strictObject({
    namespace: z.string().min(1).default('AWS/SageMaker'),
    metric: z.string().min(1),
    dimensions: dimensions.optional(),
    stat: z.enum(STATISTICS).default('Average'),
    periodS: z.number().int().positive().default(60),
    evaluationPeriods: z.number().int().positive().default(1),
    datapointsToAlarm: z.number().int().positive().optional(),
    threshold: z.number(),
    comparison: z
      .enum(['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'])
      .default('GreaterThanOrEqualToThreshold'),
    treatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).optional(),
  }),
  /** Bounds relative to the alarm threshold, as in StepAdjustments. */
  steps: z.array(z.strictObject({ lower: z.number().optional(), upper: z.number().optional(), adjustment: z.number().int() })).min(1),
  adjustmentType: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']).default('ChangeInCapacity'),
  metricAggregationType: z.enum(['Average', 'Minimum', 'Maximum']).default('Average'),
  cooldownS: seconds.optional(),
  minAdjustmentMagnitude: z.number().int().positive().optional(),
});

const variantSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash or underscore (it names the run directory)'),
    minCapacity: z.number().int().min(0),
    maxCapacity: z.number().int().min(1),
    targetTracking: targetTrackingSchema.optional(),
    stepScaling: stepScalingSchema.optional(),
  })
  .refine((v) => v.minCapacity <= v.maxCapacity, { message: 'minCapacity must not exceed maxCapacity', path: ['minCapacity'] })
  .refine((v) => (v.targetTracking === undefined) !== (v.stepScaling === undefined), { message: 'give exactly one of targetTracking or stepScaling' });

const resourceSchema = z.union([
  z.strictObject({ endpoint: z.string().min(1), variant: z.string().min(1).default('AllTraffic') }),
  z.strictObject({ inferenceComponent: z.string().min(1), endpoint: z.string().min(1).optional() }),
]);

const baselineSchema = z.union([
  /** Wait until the resource's current capacity is back at the variant's minCapacity. */
  z.strictObject({ waitForMin: z.strictObject({ timeoutS: z.number().positive().default(1800) }) }),
  /** UpdateEndpointWeightsAndCapacities / UpdateInferenceComponentRuntimeConfig, then wait for InService at that count. */
  z.strictObject({ setDesired: z.number().int().min(0), timeoutS: z.number().positive().default(1800) }),
]);

export const experimentSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  profile: z.string().min(1),
  /** `sagemaker:<endpoint>[?options]` (options as in `scalelab run --target`), or `{ sim: sims/x.yaml }`. */
  target: z.union([z.string().startsWith('sagemaker:', 'a sagemaker:<endpoint> target, or { sim: <file> }'), z.strictObject({ sim: z.string().min(1) })]),
  resource: resourceSchema,
  variants: z.array(variantSchema).min(1),
  baseline: baselineSchema.default({ waitForMin: { timeoutS: 1800 } }),
  /** Seconds to wait (control-plane time) after applying a variant (before the baseline check) and after each run (before reading the cloud data). */
  settleS: z.number().min(0).default(0),
  seed: z.number().int().min(0).optional(),
  /** Real-time simulator: its control plane runs this many times faster than the wall clock. */
  timeScale: z.number().positive().default(1),
});

export type ExperimentSpec = z.output<typeof experimentSchema>;
export type VariantSpec = ExperimentSpec['variants'][number];
export type ResourceSpec = ExperimentSpec['resource'];
export type BaselineSpec = ExperimentSpec['baseline'];
export type TargetTrackingSpec = NonNullable<VariantSpec['targetTracking']>;
export type StepScalingSpec = NonNullable<VariantSpec['stepScaling']>;
