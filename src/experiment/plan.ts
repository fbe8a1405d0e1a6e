/**
 * The exact Application Auto Scaling and CloudWatch requests that apply a variant to the resource
 * (pure): RegisterScalableTarget with its min/max, PutScalingPolicy, and for step scaling the
 * PutMetricAlarm whose action is the new policy (its ARN is known only after PutScalingPolicy:
 * `AlarmActions` is filled in then). The resource's other policies are deleted after the new one
 * is in place, so it is never without a policy; which ones exist is known only at apply time.
 */
import type { Experiment } from './load.js';
import type { ResourceSpec, VariantSpec } from './schema.js';

export const SERVICE_NAMESPACE = 'sagemaker';

export interface ResourceIds {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

export interface ScalingResource {
  ids: ResourceIds;
  /** The endpoint invoked (and described for capacity). */
  endpointName: string;
  variantName?: string;
  inferenceComponentName?: string;
  /** CloudWatch dimensions of the resource's own metrics. */
  dimensions: { Name: string; Value: string }[];
}

export interface ApiCall {
  service: 'application-autoscaling' | 'cloudwatch' | 'sagemaker';
  operation: string;
  input: Record<string, unknown>;
}

export interface VariantPlan {
  policyName: string;
  register: ApiCall;
  putPolicy: ApiCall;
  /** Step scaling: the alarm that invokes the policy (AlarmActions set to the PolicyARN at apply time). */
  putAlarm?: ApiCall;
}

export function scalingResource(resource: ResourceSpec, endpointName: string): ScalingResource {
  if ('inferenceComponent' in resource) {
    const ic = resource.inferenceComponent;
    return {
      ids: { ServiceNamespace: SERVICE_NAMESPACE, ResourceId: `inference-component/${ic}`, ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount' },
      endpointName,
      inferenceComponentName: ic,
      dimensions: [{ Name: 'InferenceComponentName', Value: ic }],
    };
  }
  return {
    ids: { ServiceNamespace: SERVICE_NAMESPACE, ResourceId: `endpoint/${endpointName}/variant/${resource.variant}`, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
    endpointName,
    variantName: resource.variant,
    dimensions: [
      { Name: 'EndpointName', Value: endpointName },
      { Name: 'VariantName', Value: resource.variant },
    ],
  };
}

/** The policy a variant puts on the resource: one name per variant, so a leftover is recognisable. */
export function policyNameOf(experiment: Pick<Experiment, 'name'>, variant: Pick<VariantSpec, 'name'>): string {
  return `scalelab-${experiment.name}-${variant.name}`;
}

const toDimensions = (d: Record<string, string> | undefined, fallback: ScalingResource['dimensions']): ScalingResource['dimensions'] =>
  d === undefined ? fallback : Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

export function planVariant(experiment: Pick<Experiment, 'name'>, variant: VariantSpec, resource: ScalingResource): VariantPlan {
  const policyName = policyNameOf(experiment, variant);
  const register: ApiCall = {
    service: 'application-autoscaling',
    operation: 'RegisterScalableTarget',
    input: { ...resource.ids, MinCapacity: variant.minCapacity, MaxCapacity: variant.maxCapacity },
  };
  const base = { PolicyName: policyName, ...resource.ids };
  const tt = variant.targetTracking;
  if (tt !== undefined) {
    const metric = tt.predefinedMetric
      ? { PredefinedMetricSpecification: { PredefinedMetricType: tt.predefinedMetric } }
      : tt.customizedMetric && {
          CustomizedMetricSpecification: {
            Namespace: tt.customizedMetric.namespace,
            MetricName: tt.customizedMetric.metricName,
            Dimensions: toDimensions(tt.customizedMetric.dimensions, resource.dimensions),
            Statistic: tt.customizedMetric.statistic,
            ...(tt.customizedMetric.unit !== undefined && { Unit: tt.customizedMetric.unit }),
          },
        };
    return {
      policyName,
      register,
      putPolicy: {
        service: 'application-autoscaling',
        operation: 'PutScalingPolicy',
        input: {
          ...base,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: tt.targetValue,
            ...metric,
            ...(tt.scaleOutCooldownS !== undefined && { ScaleOutCooldown: tt.scaleOutCooldownS }),
            ...(tt.scaleInCooldownS !== undefined && { ScaleInCooldown: tt.scaleInCooldownS }),
            DisableScaleIn: tt.disableScaleIn,
          },
        },
      },
    };
  }
  const step = variant.stepScaling;
  if (step === undefined) throw new Error(`variant ${variant.name} has no scaling configuration`); // the schema forbids it
  const a = step.alarm;
  return {
    policyName,
    register,
    putPolicy: {
      service: 'application-autoscaling',
      operation: 'PutScalingPolicy',
      input: {
        ...base,
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: step.adjustmentType,
          MetricAggregationType: step.metricAggregationType,
          ...(step.cooldownS !== undefined && { Cooldown: step.cooldownS }),
          ...(step.minAdjustmentMagnitude !== undefined && { MinAdjustmentMagnitude: step.minAdjustmentMagnitude }),
          StepAdjustments: step.steps.map((s) => ({
            ScalingAdjustment: s.adjustment,
            ...(s.lower !== undefined && { MetricIntervalLowerBound: s.lower }),
            ...(s.upper !== undefined && { MetricIntervalUpperBound: s.upper }),
          })),
        },
      },
    },
    putAlarm: {
      service: 'cloudwatch',
      operation: 'PutMetricAlarm',
      input: {
        AlarmName: `${policyName}-alarm`,
        Namespace: a.namespace,
        MetricName: a.metric,
        Dimensions: toDimensions(a.dimensions, resource.dimensions),
        Statistic: a.stat,
        Period: a.periodS,
        EvaluationPeriods: a.evaluationPeriods,
        DatapointsToAlarm: a.datapointsToAlarm ?? a.evaluationPeriods,
        Threshold: a.threshold,
        ComparisonOperator: a.comparison,
        ...(a.treatMissingData !== undefined && { TreatMissingData: a.treatMissingData }),
      },
    },
  };
}

/** The baseline's request, if it sends one (setDesired). */
export function baselineCall(experiment: Pick<Experiment, 'baseline'>, resource: ScalingResource): ApiCall | undefined {
  const b = experiment.baseline;
  if (!('setDesired' in b)) return undefined;
  if (resource.inferenceComponentName !== undefined) {
    return {
      service: 'sagemaker',
      operation: 'UpdateInferenceComponentRuntimeConfig',
      input: { InferenceComponentName: resource.inferenceComponentName, DesiredRuntimeConfig: { CopyCount: b.setDesired } },
    };
  }
  return {
    service: 'sagemaker',
    operation: 'UpdateEndpointWeightsAndCapacities',
    input: { EndpointName: resource.endpointName, DesiredWeightsAndCapacities: [{ VariantName: resource.variantName, DesiredInstanceCount: b.setDesired }] },
  };
}

/** The plan printed without --apply: every variant's requests in order, as JSON bodies. */
export function formatPlan(experiment: Experiment, resource: ScalingResource): string {
  const lines = [
    `experiment ${experiment.name} (${experiment.file}): ${experiment.variants.length} variant(s) on ${resource.ids.ResourceId}`,
    'nothing was changed; with --apply, scalelab would:',
    `  0. record the resource's scalable target and scaling policies (DescribeScalableTargets, DescribeScalingPolicies, DescribeAlarms of step-scaling policies) to restore them at the end`,
  ];
  const call = (c: ApiCall): string => `${c.service} ${c.operation} ${JSON.stringify(c.input)}`;
  for (const [i, v] of experiment.variants.entries()) {
    const p = planVariant(experiment, v, resource);
    const b = baselineCall(experiment, resource);
    lines.push(`  ${i + 1}. variant ${v.name}:`);
    lines.push(`     ${call(p.register)}`);
    lines.push(`     ${call(p.putPolicy)}`);
    if (p.putAlarm) lines.push(`     ${call({ ...p.putAlarm, input: { ...p.putAlarm.input, AlarmActions: ['<PolicyARN from PutScalingPolicy>'] } })}`);
    lines.push(`     application-autoscaling DeleteScalingPolicy for every other policy on ${resource.ids.ResourceId}${i > 0 ? ' (incl. the previous variant\'s)' : ''}`);
    if (b) lines.push(`     ${call(b)}, then wait for InService at ${String((experiment.baseline as { setDesired: number }).setDesired)}`);
    else lines.push(`     wait until current capacity is at ${v.minCapacity} (DescribeEndpoint / DescribeInferenceComponent)`);
    lines.push(`     run ${experiment.profilePath} (seed ${experiment.seed ?? 'from the profile'}), then collect CloudWatch and Application Auto Scaling data`);
  }
  lines.push(`  ${experiment.variants.length + 1}. restore: delete the variants' policies and alarms, put back the recorded scalable target (min/max) and policies`);
  return lines.join('\n');
}
