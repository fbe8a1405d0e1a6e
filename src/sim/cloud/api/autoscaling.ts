/**
 * Application Auto Scaling's operations over AWS JSON 1.1
 * (`x-amz-target: AnyScaleFrontendService.<Op>`): RegisterScalableTarget, DeregisterScalableTarget,
 * DescribeScalableTargets, PutScalingPolicy, DeleteScalingPolicy, DescribeScalingPolicies,
 * DescribeScalingActivities. Errors are `{"__type": "com.amazonaws.applicationautoscaling#ValidationException", "message": …}`.
 */
import { z } from 'zod';
import type { AutoScalingService, ScalableTargetView, ScalingActivityView, ScalingPolicyView } from '../autoscaling.js';
import { CloudApiError, validation } from '../errors.js';
import type { Operation } from './cloudwatch.js';
import { compact, epochS, paginate, validate } from './wire.js';

export const AUTOSCALING_TARGET_PREFIX = 'AnyScaleFrontendService.';
export const AUTOSCALING_CONTENT_TYPE = 'application/x-amz-json-1.1';
const ERROR_NAMESPACE = 'com.amazonaws.applicationautoscaling';

export function autoScalingError(e: CloudApiError): { status: number; headers: Record<string, string>; body: unknown } {
  return { status: e.httpStatus, headers: {}, body: { __type: `${ERROR_NAMESPACE}#${e.awsType}`, message: e.message } };
}

const badToken = (): CloudApiError => new CloudApiError('InvalidNextTokenException', 'Invalid token');

const targetId = {
  ServiceNamespace: z.string(),
  ResourceId: z.string().min(1).max(1600),
  ScalableDimension: z.string(),
};
const dimension = z.object({ Name: z.string(), Value: z.string() });

const registerInput = z.object({
  ...targetId,
  MinCapacity: z.number().int().optional(),
  MaxCapacity: z.number().int().optional(),
  RoleARN: z.string().optional(),
  SuspendedState: z
    .object({ DynamicScalingInSuspended: z.boolean().optional(), DynamicScalingOutSuspended: z.boolean().optional(), ScheduledScalingSuspended: z.boolean().optional() })
    .optional(),
});

const trackingMetricQuery = z.object({
  Id: z.string(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  ReturnData: z.boolean().optional(),
  MetricStat: z
    .object({
      Metric: z.object({ Namespace: z.string().optional(), MetricName: z.string().optional(), Dimensions: z.array(dimension).optional() }),
      Stat: z.string(),
      Unit: z.string().optional(),
    })
    .optional(),
});

const putPolicyInput = z.object({
  ...targetId,
  PolicyName: z.string().min(1).max(256),
  PolicyType: z.enum(['StepScaling', 'TargetTrackingScaling']).optional(),
  StepScalingPolicyConfiguration: z
    .object({
      AdjustmentType: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']).optional(),
      StepAdjustments: z
        .array(z.object({ MetricIntervalLowerBound: z.number().optional(), MetricIntervalUpperBound: z.number().optional(), ScalingAdjustment: z.number().int() }))
        .optional(),
      MinAdjustmentMagnitude: z.number().int().optional(),
      Cooldown: z.number().int().min(0).optional(),
      MetricAggregationType: z.enum(['Average', 'Minimum', 'Maximum']).optional(),
    })
    .optional(),
  TargetTrackingScalingPolicyConfiguration: z
    .object({
      TargetValue: z.number(),
      PredefinedMetricSpecification: z.object({ PredefinedMetricType: z.string(), ResourceLabel: z.string().optional() }).optional(),
      CustomizedMetricSpecification: z
        .object({
          MetricName: z.string().optional(),
          Namespace: z.string().optional(),
          Dimensions: z.array(dimension).optional(),
          Statistic: z.string().optional(),
          Unit: z.string().optional(),
          Metrics: z.array(trackingMetricQuery).optional(),
        })
        .optional(),
      ScaleOutCooldown: z.number().int().min(0).optional(),
      ScaleInCooldown: z.number().int().min(0).optional(),
      DisableScaleIn: z.boolean().optional(),
    })
    .optional(),
});

const deletePolicyInput = z.object({ ...targetId, PolicyName: z.string() });
const page = (max: number) => ({ MaxResults: z.number().int().min(1).max(max).optional(), NextToken: z.string().optional() });
const describeTargetsInput = z.object({ ServiceNamespace: z.string(), ResourceIds: z.array(z.string()).optional(), ScalableDimension: z.string().optional(), ...page(50) });
const describePoliciesInput = z.object({
  ServiceNamespace: z.string(),
  PolicyNames: z.array(z.string()).optional(),
  ResourceId: z.string().optional(),
  ScalableDimension: z.string().optional(),
  ...page(10),
});
const describeActivitiesInput = z.object({
  ServiceNamespace: z.string(),
  ResourceId: z.string().optional(),
  ScalableDimension: z.string().optional(),
  IncludeNotScaledActivities: z.boolean().optional(),
  ...page(50),
});

/** The operations by name. */
export function autoScalingOperations(service: AutoScalingService): Record<string, Operation> {
  return {
    RegisterScalableTarget: (raw) => service.registerScalableTarget(validate(registerInput, raw, validation)),

    DeregisterScalableTarget: (raw) => {
      service.deregisterScalableTarget(validate(z.object(targetId), raw, validation));
      return {};
    },

    DescribeScalableTargets: (raw) => {
      const input = validate(describeTargetsInput, raw, validation);
      const all = service.describeScalableTargets(input);
      const { page: items, nextToken } = paginate(all, input.MaxResults ?? 50, input.NextToken, badToken);
      return compact({ ScalableTargets: items.map(targetWire), NextToken: nextToken });
    },

    PutScalingPolicy: (raw) => service.putScalingPolicy(validate(putPolicyInput, raw, validation)),

    DeleteScalingPolicy: (raw) => {
      service.deleteScalingPolicy(validate(deletePolicyInput, raw, validation));
      return {};
    },

    DescribeScalingPolicies: (raw) => {
      const input = validate(describePoliciesInput, raw, validation);
      const all = service.describeScalingPolicies(input);
      const { page: items, nextToken } = paginate(all, input.MaxResults ?? 10, input.NextToken, badToken);
      return compact({ ScalingPolicies: items.map(policyWire), NextToken: nextToken });
    },

    DescribeScalingActivities: (raw) => {
      const input = validate(describeActivitiesInput, raw, validation);
      const all = service.describeScalingActivities(input);
      const { page: items, nextToken } = paginate(all, input.MaxResults ?? 50, input.NextToken, badToken);
      return compact({ ScalingActivities: items.map(activityWire), NextToken: nextToken });
    },
  };
}

function targetWire({ CreationTimeMs, ...rest }: ScalableTargetView): Record<string, unknown> {
  return { ...rest, CreationTime: epochS(CreationTimeMs) };
}

function policyWire({ CreationTimeMs, ...rest }: ScalingPolicyView): Record<string, unknown> {
  return { ...rest, CreationTime: epochS(CreationTimeMs) };
}

function activityWire({ StartTimeMs, EndTimeMs, ...rest }: ScalingActivityView): Record<string, unknown> {
  return compact({ ...rest, StartTime: epochS(StartTimeMs), EndTime: EndTimeMs === undefined ? undefined : epochS(EndTimeMs) });
}
