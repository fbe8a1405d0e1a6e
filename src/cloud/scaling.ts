/**
 * Application Auto Scaling for one resource: its scaling activities within the run window
 * (not-scaled ones too) and its scaling policies, with the role of each policy's alarms.
 */
import {
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  type ApplicationAutoScalingClient,
  type ScalingActivity as AasActivity,
  type ScalingPolicy as AasPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import type { AlarmRole, CloudResource, PolicyInfo, ScalingActivity } from './types.js';

export const SERVICE_NAMESPACE = 'sagemaker';

/** Pages read at most per listing: 200 × 50 activities; more than that in a window is not a run's. */
const MAX_PAGES = 200;

export interface ListOptions {
  /** MaxResults per page (capped at each API's maximum); default the API's. */
  pageSize?: number;
}

const STATUS_CODES = new Set<ScalingActivity['statusCode']>(['Pending', 'InProgress', 'Successful', 'Overridden', 'Unfulfilled', 'Failed']);

/** The capacity an activity set, from "Setting desired instance count to 3." or "… copy count to 3."; undefined otherwise. */
export function parseToCapacity(description: string): number | undefined {
  const m = /Setting desired (?:instance |copy )?count to (\d+)/i.exec(description);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** An Application Auto Scaling activity as cloud.json holds it (times in AWS's clock, epoch ms). */
export function toScalingActivity(a: AasActivity): ScalingActivity | undefined {
  if (a.StartTime === undefined) return undefined;
  const statusCode = STATUS_CODES.has(a.StatusCode as ScalingActivity['statusCode']) ? (a.StatusCode as ScalingActivity['statusCode']) : 'Failed';
  const description = a.Description ?? '';
  const toCapacity = parseToCapacity(description);
  const reasons = (a.NotScaledReasons ?? []).map((r) => r.Code ?? '').filter((c) => c !== '');
  return {
    activityId: a.ActivityId ?? '',
    startMs: a.StartTime.getTime(),
    ...(a.EndTime !== undefined && { endMs: a.EndTime.getTime() }),
    statusCode,
    description,
    cause: a.Cause ?? '',
    ...(a.StatusMessage !== undefined && { statusMessage: a.StatusMessage }),
    ...(toCapacity !== undefined && { toCapacity }),
    ...(reasons.length > 0 && { notScaledReasons: reasons }),
  };
}

/**
 * The resource's activities that overlap [startMs − marginMs, endMs + marginMs], oldest first.
 * The API has no time filter: every page is read (up to MAX_PAGES) and filtered here.
 */
export async function readScalingActivities(
  autoscaling: ApplicationAutoScalingClient,
  resource: CloudResource,
  window: { startMs: number; endMs: number },
  marginMs: number,
  options: ListOptions = {},
): Promise<ScalingActivity[]> {
  const from = window.startMs - marginMs;
  const to = window.endMs + marginMs;
  const out: ScalingActivity[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await autoscaling.send(
      new DescribeScalingActivitiesCommand({
        ServiceNamespace: SERVICE_NAMESPACE,
        ResourceId: resource.resourceId,
        ScalableDimension: resource.scalableDimension,
        IncludeNotScaledActivities: true,
        ...(options.pageSize !== undefined && { MaxResults: Math.min(options.pageSize, 50) }),
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    for (const raw of page.ScalingActivities ?? []) {
      const a = toScalingActivity(raw);
      if (a !== undefined && a.startMs <= to && (a.endMs ?? Number.POSITIVE_INFINITY) >= from) out.push(a);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined && ++pages < MAX_PAGES);
  return out.sort((a, b) => a.startMs - b.startMs || a.activityId.localeCompare(b.activityId));
}

/** An alarm a policy owns, and what its ALARM state does. */
export interface AlarmRef {
  name: string;
  role: AlarmRole;
  policyName: string;
}

/**
 * The role of a policy's alarm: target tracking's `…-AlarmHigh-…` scales out and `…-AlarmLow-…`
 * in; a step policy's alarm by the sign of its step adjustments (all positive: out, all negative:
 * in; ExactCapacity or mixed signs: other).
 */
export function alarmRole(policy: Pick<AasPolicy, 'StepScalingPolicyConfiguration'>, alarmName: string): AlarmRole {
  if (alarmName.includes('-AlarmHigh-')) return 'scale-out';
  if (alarmName.includes('-AlarmLow-')) return 'scale-in';
  const step = policy.StepScalingPolicyConfiguration;
  if (step === undefined || step.AdjustmentType === 'ExactCapacity') return 'other';
  const adjustments = (step.StepAdjustments ?? []).map((s) => s.ScalingAdjustment ?? 0);
  if (adjustments.length === 0) return 'other';
  if (adjustments.every((a) => a > 0)) return 'scale-out';
  if (adjustments.every((a) => a < 0)) return 'scale-in';
  return 'other';
}

/** cloud.json's view of a policy. A step policy's Cooldown counts as scale-out or scale-in cooldown by its direction. */
export function toPolicyInfo(p: Partial<AasPolicy>): PolicyInfo {
  const tt = p.TargetTrackingScalingPolicyConfiguration;
  const step = p.StepScalingPolicyConfiguration;
  const alarmNames = (p.Alarms ?? []).map((a) => a.AlarmName ?? '').filter((n) => n !== '');
  const custom = tt?.CustomizedMetricSpecification;
  const metric =
    tt?.PredefinedMetricSpecification?.PredefinedMetricType ?? custom?.MetricName ?? custom?.Metrics?.find((m) => m.ReturnData !== false)?.MetricStat?.Metric?.MetricName;
  const stepRole = step === undefined ? undefined : alarmRole(p, '');
  return {
    name: p.PolicyName ?? '',
    type: p.PolicyType ?? 'unknown',
    ...(metric !== undefined && { metric }),
    ...(tt?.TargetValue !== undefined && { targetValue: tt.TargetValue }),
    ...(tt?.ScaleOutCooldown !== undefined && { scaleOutCooldownS: tt.ScaleOutCooldown }),
    ...(tt?.ScaleInCooldown !== undefined && { scaleInCooldownS: tt.ScaleInCooldown }),
    ...(step?.Cooldown !== undefined && stepRole === 'scale-out' && { scaleOutCooldownS: step.Cooldown }),
    ...(step?.Cooldown !== undefined && stepRole === 'scale-in' && { scaleInCooldownS: step.Cooldown }),
    alarmNames,
  };
}

/** The resource's scaling policies and their alarms' roles. */
export async function readScalingPolicies(
  autoscaling: ApplicationAutoScalingClient,
  resource: CloudResource,
  options: ListOptions = {},
): Promise<{ policies: PolicyInfo[]; alarms: AlarmRef[] }> {
  const raw: AasPolicy[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await autoscaling.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: SERVICE_NAMESPACE,
        ResourceId: resource.resourceId,
        ScalableDimension: resource.scalableDimension,
        ...(options.pageSize !== undefined && { MaxResults: Math.min(options.pageSize, 10) }),
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    raw.push(...(page.ScalingPolicies ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined && ++pages < MAX_PAGES);
  return {
    policies: raw.map(toPolicyInfo),
    alarms: raw.flatMap((p) => (p.Alarms ?? []).flatMap((a) => (a.AlarmName === undefined ? [] : [{ name: a.AlarmName, role: alarmRole(p, a.AlarmName), policyName: p.PolicyName ?? '' }]))),
  };
}
