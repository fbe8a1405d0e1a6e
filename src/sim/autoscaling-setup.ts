/**
 * Registers a config's `autoscaling:` entries with the control plane at start, through the same
 * service calls the AWS APIs make: RegisterScalableTarget, PutScalingPolicy, and for a step-scaling
 * policy PutMetricAlarm with the policy as its action.
 */
import { UserError, errorMessage } from '../lib/errors.js';
import type { ScalableTargetConfig, ScalingPolicyConfig } from './autoscaling-config.js';
import { SERVICE_NAMESPACE } from './cloud/autoscaling.js';
import type { ControlPlane } from './cloud/control-plane.js';
import { parseResourceId } from './cloud/target-tracking.js';
import type { ScalableDimension } from './cloud/types.js';

export function scalableDimensionOf(resourceId: string): ScalableDimension {
  return parseResourceId(resourceId)?.kind === 'inference-component' ? 'sagemaker:inference-component:DesiredCopyCount' : 'sagemaker:variant:DesiredInstanceCount';
}

/** @throws UserError `sim_config_invalid` naming the entry when the control plane refuses it. */
export function applyAutoscalingConfig(controlPlane: ControlPlane, targets: readonly ScalableTargetConfig[]): void {
  for (const [i, t] of targets.entries()) {
    const id = { ServiceNamespace: SERVICE_NAMESPACE, ResourceId: t.resourceId, ScalableDimension: scalableDimensionOf(t.resourceId) };
    const field = `autoscaling.${i}`;
    attempt(field, () => controlPlane.autoscaling.registerScalableTarget({ ...id, MinCapacity: t.minCapacity, MaxCapacity: t.maxCapacity }));
    for (const [j, p] of t.policies.entries()) attempt(`${field}.policies.${j}`, () => putPolicy(controlPlane, id, p));
  }
}

function attempt(field: string, fn: () => void): void {
  try {
    fn();
  } catch (e: unknown) {
    throw new UserError('sim_config_invalid', `${field}: ${errorMessage(e)}`, { cause: e });
  }
}

function putPolicy(controlPlane: ControlPlane, id: { ServiceNamespace: string; ResourceId: string; ScalableDimension: string }, p: ScalingPolicyConfig): void {
  if (p.kind === 'targetTracking') {
    controlPlane.autoscaling.putScalingPolicy({
      ...id,
      PolicyName: p.name,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: p.targetValue,
        PredefinedMetricSpecification: { PredefinedMetricType: p.predefinedMetric },
        ...(p.scaleOutCooldownS !== undefined && { ScaleOutCooldown: p.scaleOutCooldownS }),
        ...(p.scaleInCooldownS !== undefined && { ScaleInCooldown: p.scaleInCooldownS }),
        ...(p.disableScaleIn && { DisableScaleIn: true }),
      },
    });
    return;
  }
  const { PolicyARN } = controlPlane.autoscaling.putScalingPolicy({
    ...id,
    PolicyName: p.name,
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: {
      AdjustmentType: p.adjustmentType,
      MetricAggregationType: p.metricAggregationType,
      ...(p.cooldownS !== undefined && { Cooldown: p.cooldownS }),
      ...(p.minAdjustmentMagnitude !== undefined && { MinAdjustmentMagnitude: p.minAdjustmentMagnitude }),
      StepAdjustments: p.steps.map((s) => ({
        ScalingAdjustment: s.adjustment,
        ...(s.lower !== undefined && { MetricIntervalLowerBound: s.lower }),
        ...(s.upper !== undefined && { MetricIntervalUpperBound: s.upper }),
      })),
    },
  });
  const a = p.alarm;
  const dimensions = a.dimensions
    ? Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value }))
    : (parseResourceId(id.ResourceId)?.dimensions ?? []);
  controlPlane.alarms.putMetricAlarm({
    AlarmName: a.name ?? `${p.name}-alarm`,
    AlarmActions: [PolicyARN],
    Namespace: a.namespace,
    MetricName: a.metricName,
    Dimensions: dimensions,
    Statistic: a.statistic,
    Period: a.periodS,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm ?? a.evaluationPeriods,
    Threshold: a.threshold,
    ComparisonOperator: a.comparison,
    TreatMissingData: a.treatMissingData,
  });
}
