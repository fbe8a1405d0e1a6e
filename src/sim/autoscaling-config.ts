/**
 * `autoscaling:` in a sims/*.yaml: the scalable targets and scaling policies registered with the
 * simulated Application Auto Scaling at start, so one file describes a whole setup. Field names
 * follow the AWS API in camelCase (RegisterScalableTarget, PutScalingPolicy, PutMetricAlarm).
 *
 * ```yaml
 * autoscaling:
 *   - resourceId: endpoint/llama3/variant/AllTraffic     # or inference-component/{name}
 *     minCapacity: 1
 *     maxCapacity: 2
 *     policies:
 *       - name: concurrency
 *         kind: targetTracking
 *         predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution
 *         targetValue: 5
 *         scaleOutCooldownS: 300
 *         scaleInCooldownS: 300
 * ```
 *
 * A step-scaling policy brings its own alarm (the policy is its action), on a metric of the
 * resource's own dimensions unless `dimensions` says otherwise.
 */
import { z } from 'zod';

const PREDEFINED = [
  'SageMakerVariantInvocationsPerInstance',
  'SageMakerInferenceComponentInvocationsPerCopy',
  'SageMakerVariantConcurrentRequestsPerModelHighResolution',
  'SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution',
] as const;

const cooldownS = z.number().int().min(0).optional();

const targetTrackingSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('targetTracking'),
  predefinedMetric: z.enum(PREDEFINED),
  targetValue: z.number().positive(),
  /** Default: the control plane's `autoscaling.defaultCooldownS` (300 s). */
  scaleOutCooldownS: cooldownS,
  scaleInCooldownS: cooldownS,
  disableScaleIn: z.boolean().default(false),
});

const stepSchema = z.strictObject({
  /** Relative to the alarm threshold; absent: −∞. */
  lower: z.number().optional(),
  /** Relative to the alarm threshold; absent: +∞. */
  upper: z.number().optional(),
  adjustment: z.number().int(),
});

const stepScalingSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.literal('stepScaling'),
  adjustmentType: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']).default('ChangeInCapacity'),
  metricAggregationType: z.enum(['Average', 'Minimum', 'Maximum']).default('Average'),
  cooldownS,
  minAdjustmentMagnitude: z.number().int().positive().optional(),
  steps: z.array(stepSchema).min(1),
  alarm: z.strictObject({
    /** Default: `{policy name}-alarm`. */
    name: z.string().min(1).optional(),
    namespace: z.string().min(1).default('AWS/SageMaker'),
    metricName: z.string().min(1),
    /** Default: the resource's (EndpointName + VariantName, or InferenceComponentName). */
    dimensions: z.record(z.string(), z.string()).optional(),
    statistic: z.enum(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']).default('Sum'),
    periodS: z.number().int().positive().default(60),
    evaluationPeriods: z.number().int().positive().default(1),
    datapointsToAlarm: z.number().int().positive().optional(),
    threshold: z.number(),
    comparison: z
      .enum(['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'])
      .default('GreaterThanOrEqualToThreshold'),
    treatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).default('missing'),
  }),
});

export const scalingPolicySchema = z.discriminatedUnion('kind', [targetTrackingSchema, stepScalingSchema]);

export const scalableTargetSchema = z
  .strictObject({
    /** `endpoint/{endpoint}/variant/{variant}` (instances) or `inference-component/{name}` (copies). */
    resourceId: z.string().regex(/^(endpoint\/[^/]+\/variant\/[^/]+|inference-component\/[^/]+)$/, 'endpoint/{endpoint}/variant/{variant} or inference-component/{name}'),
    minCapacity: z.number().int().min(0),
    maxCapacity: z.number().int().min(0),
    policies: z.array(scalingPolicySchema).default([]),
  })
  .refine((t) => t.minCapacity <= t.maxCapacity, { message: 'minCapacity must not exceed maxCapacity' });

export type ScalingPolicyConfig = z.output<typeof scalingPolicySchema>;
export type ScalableTargetConfig = z.output<typeof scalableTargetSchema>;
