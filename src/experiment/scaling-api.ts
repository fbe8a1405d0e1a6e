/**
 * Applying, recording and restoring scaling configurations through the real AWS SDK clients — the
 * same code against AWS and against the simulator (whose server speaks the same APIs), so what an
 * experiment records is exactly what was sent.
 */
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClient,
  type PutScalingPolicyCommandInput,
  type RegisterScalableTargetCommandInput,
  type ScalableDimension,
  type ScalableTarget,
  type ScalingPolicy,
  type ServiceNamespace,
} from '@aws-sdk/client-application-auto-scaling';
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient, type MetricAlarm, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  UpdateEndpointWeightsAndCapacitiesCommand,
  UpdateInferenceComponentRuntimeConfigCommand,
  type SageMakerClient,
  type UpdateEndpointWeightsAndCapacitiesCommandInput,
  type UpdateInferenceComponentRuntimeConfigCommandInput,
} from '@aws-sdk/client-sagemaker';
import type { ApiCall, ScalingResource, VariantPlan } from './plan.js';

export interface ScalingClients {
  autoscaling: ApplicationAutoScalingClient;
  cloudwatch: CloudWatchClient;
  sagemaker: SageMakerClient;
}

/** One request as sent, with what came back (without the SDK's $metadata). */
export interface SentCall extends ApiCall {
  output: Record<string, unknown>;
}

/** What was on the resource before the experiment. */
export interface ScalingSnapshot {
  /** Absent when the resource was not registered with Application Auto Scaling. */
  target?: ScalableTarget;
  policies: ScalingPolicy[];
  /** The alarms whose actions invoke a step-scaling policy (target tracking makes and deletes its own). */
  alarms: MetricAlarm[];
}

function withoutMetadata(out: object): Record<string, unknown> {
  const { $metadata: _ignored, ...rest } = out as Record<string, unknown>;
  return rest;
}

/** Sends one planned call. Inputs are plain JSON built by plan.ts; the SDK checks nothing more. */
export async function send(clients: ScalingClients, call: ApiCall): Promise<SentCall> {
  const input = call.input as never;
  const out = await (async (): Promise<object> => {
    switch (call.operation) {
      case 'RegisterScalableTarget':
        return clients.autoscaling.send(new RegisterScalableTargetCommand(input as RegisterScalableTargetCommandInput));
      case 'DeregisterScalableTarget':
        return clients.autoscaling.send(new DeregisterScalableTargetCommand(input));
      case 'PutScalingPolicy':
        return clients.autoscaling.send(new PutScalingPolicyCommand(input as PutScalingPolicyCommandInput));
      case 'DeleteScalingPolicy':
        return clients.autoscaling.send(new DeleteScalingPolicyCommand(input));
      case 'PutMetricAlarm':
        return clients.cloudwatch.send(new PutMetricAlarmCommand(input as PutMetricAlarmCommandInput));
      case 'DeleteAlarms':
        return clients.cloudwatch.send(new DeleteAlarmsCommand(input));
      case 'UpdateEndpointWeightsAndCapacities':
        return clients.sagemaker.send(new UpdateEndpointWeightsAndCapacitiesCommand(input as UpdateEndpointWeightsAndCapacitiesCommandInput));
      case 'UpdateInferenceComponentRuntimeConfig':
        return clients.sagemaker.send(new UpdateInferenceComponentRuntimeConfigCommand(input as UpdateInferenceComponentRuntimeConfigCommandInput));
      default:
        throw new Error(`scalelab does not send ${call.operation}`);
    }
  })();
  return { ...call, output: withoutMetadata(out) };
}

const sdkIds = (r: ScalingResource): { ServiceNamespace: ServiceNamespace; ScalableDimension: ScalableDimension } => ({
  ServiceNamespace: r.ids.ServiceNamespace as ServiceNamespace,
  ScalableDimension: r.ids.ScalableDimension as ScalableDimension,
});

export async function describeTarget(clients: ScalingClients, resource: ScalingResource): Promise<ScalableTarget | undefined> {
  const out = await clients.autoscaling.send(
    new DescribeScalableTargetsCommand({ ...sdkIds(resource), ResourceIds: [resource.ids.ResourceId] }),
  );
  return out.ScalableTargets?.[0];
}

export async function describePolicies(clients: ScalingClients, resource: ScalingResource): Promise<ScalingPolicy[]> {
  const policies: ScalingPolicy[] = [];
  let token: string | undefined;
  do {
    const out = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ...sdkIds(resource), ResourceId: resource.ids.ResourceId, ...(token !== undefined && { NextToken: token }) }),
    );
    policies.push(...(out.ScalingPolicies ?? []));
    token = out.NextToken;
  } while (token !== undefined);
  return policies;
}

export async function snapshot(clients: ScalingClients, resource: ScalingResource): Promise<ScalingSnapshot> {
  const target = await describeTarget(clients, resource);
  const policies = await describePolicies(clients, resource);
  const alarmNames = policies.filter((p) => p.PolicyType === 'StepScaling').flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName ?? '')).filter((n) => n !== '');
  const alarms = alarmNames.length === 0 ? [] : ((await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames }))).MetricAlarms ?? []);
  return { ...(target && { target }), policies, alarms };
}

/**
 * Register min/max, put the variant's policy (and its alarm), then delete every other policy of the
 * resource. Returns every request as sent.
 */
export async function applyVariant(clients: ScalingClients, plan: VariantPlan, resource: ScalingResource): Promise<SentCall[]> {
  const sent: SentCall[] = [];
  sent.push(await send(clients, plan.register));
  const put = await send(clients, plan.putPolicy);
  sent.push(put);
  if (plan.putAlarm) {
    const arn = put.output['PolicyARN'];
    sent.push(await send(clients, { ...plan.putAlarm, input: { ...plan.putAlarm.input, AlarmActions: [arn] } }));
  }
  for (const p of await describePolicies(clients, resource)) {
    if (p.PolicyName === plan.policyName || p.PolicyName === undefined) continue;
    sent.push(await send(clients, deletePolicyCall(resource, p.PolicyName)));
  }
  return sent;
}

const deletePolicyCall = (resource: ScalingResource, name: string): ApiCall => ({
  service: 'application-autoscaling',
  operation: 'DeleteScalingPolicy',
  input: { PolicyName: name, ...resource.ids },
});

/** PutScalingPolicy's input from a described policy. */
function putFromDescribed(p: ScalingPolicy): ApiCall {
  return {
    service: 'application-autoscaling',
    operation: 'PutScalingPolicy',
    input: {
      PolicyName: p.PolicyName,
      ServiceNamespace: p.ServiceNamespace,
      ResourceId: p.ResourceId,
      ScalableDimension: p.ScalableDimension,
      PolicyType: p.PolicyType,
      ...(p.TargetTrackingScalingPolicyConfiguration && { TargetTrackingScalingPolicyConfiguration: p.TargetTrackingScalingPolicyConfiguration }),
      ...(p.StepScalingPolicyConfiguration && { StepScalingPolicyConfiguration: p.StepScalingPolicyConfiguration }),
    },
  };
}

/** PutMetricAlarm's input from a described alarm, its actions' old policy ARNs replaced by the new ones. */
function putAlarmFromDescribed(a: MetricAlarm, arns: ReadonlyMap<string, string>): ApiCall {
  const swap = (list: string[] | undefined): string[] | undefined => list?.map((x) => arns.get(x) ?? x);
  const input: Record<string, unknown> = {
    AlarmName: a.AlarmName,
    AlarmDescription: a.AlarmDescription,
    ActionsEnabled: a.ActionsEnabled,
    OKActions: swap(a.OKActions),
    AlarmActions: swap(a.AlarmActions),
    InsufficientDataActions: swap(a.InsufficientDataActions),
    MetricName: a.MetricName,
    Namespace: a.Namespace,
    Statistic: a.Statistic,
    ExtendedStatistic: a.ExtendedStatistic,
    Dimensions: a.Dimensions,
    Period: a.Period,
    Unit: a.Unit,
    EvaluationPeriods: a.EvaluationPeriods,
    DatapointsToAlarm: a.DatapointsToAlarm,
    Threshold: a.Threshold,
    ComparisonOperator: a.ComparisonOperator,
    TreatMissingData: a.TreatMissingData,
    EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
    Metrics: a.Metrics,
    ThresholdMetricId: a.ThresholdMetricId,
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  return { service: 'cloudwatch', operation: 'PutMetricAlarm', input };
}

export interface Restored {
  calls: SentCall[];
  /** One line per thing put back, for the terminal. */
  lines: string[];
}

/**
 * Puts the resource back as the snapshot found it: deletes every policy now on it and the alarms
 * the experiment created, re-registers the recorded min/max (or deregisters a target that was not
 * registered), puts back the recorded policies and re-points their step-scaling alarms at the new
 * policy ARNs. Keeps going after a failed call and reports it, so one failure does not leave the rest.
 */
export async function restore(clients: ScalingClients, resource: ScalingResource, snap: ScalingSnapshot, createdAlarms: readonly string[]): Promise<Restored & { errors: string[] }> {
  const calls: SentCall[] = [];
  const lines: string[] = [];
  const errors: string[] = [];
  const attempt = async (call: ApiCall): Promise<SentCall | undefined> => {
    try {
      const s = await send(clients, call);
      calls.push(s);
      return s;
    } catch (e: unknown) {
      errors.push(`${call.operation} ${JSON.stringify(call.input)}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };
  let current: ScalingPolicy[] = [];
  try {
    current = await describePolicies(clients, resource);
  } catch (e: unknown) {
    errors.push(`DescribeScalingPolicies: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const p of current) if (p.PolicyName !== undefined) await attempt(deletePolicyCall(resource, p.PolicyName));
  if (createdAlarms.length > 0) await attempt({ service: 'cloudwatch', operation: 'DeleteAlarms', input: { AlarmNames: [...createdAlarms] } });
  const t = snap.target;
  if (t) {
    const ok = await attempt({
      service: 'application-autoscaling',
      operation: 'RegisterScalableTarget',
      input: { ...resource.ids, MinCapacity: t.MinCapacity, MaxCapacity: t.MaxCapacity, ...(t.SuspendedState && { SuspendedState: t.SuspendedState }) },
    });
    if (ok) lines.push(`scalable target ${resource.ids.ResourceId}: min ${String(t.MinCapacity)}, max ${String(t.MaxCapacity)}`);
  } else {
    const ok = await attempt({ service: 'application-autoscaling', operation: 'DeregisterScalableTarget', input: { ...resource.ids } });
    if (ok) lines.push(`scalable target ${resource.ids.ResourceId}: deregistered (it was not registered before)`);
  }
  const arns = new Map<string, string>();
  for (const p of snap.policies) {
    const put = await attempt(putFromDescribed(p));
    if (put === undefined) continue;
    const newArn = put.output['PolicyARN'];
    if (p.PolicyARN !== undefined && typeof newArn === 'string') arns.set(p.PolicyARN, newArn);
    lines.push(`policy ${p.PolicyName ?? '?'} (${p.PolicyType ?? '?'}${describeConfig(p)})`);
  }
  for (const a of snap.alarms) if (await attempt(putAlarmFromDescribed(a, arns))) lines.push(`alarm ${a.AlarmName ?? '?'} → its policy`);
  if (snap.policies.length === 0) lines.push(`no policies (there were none before)`);
  return { calls, lines, errors };
}

function describeConfig(p: ScalingPolicy): string {
  const tt = p.TargetTrackingScalingPolicyConfiguration;
  if (!tt) return '';
  const metric = tt.PredefinedMetricSpecification?.PredefinedMetricType ?? tt.CustomizedMetricSpecification?.MetricName ?? 'metric';
  return `: ${metric} target ${String(tt.TargetValue)}`;
}
