/**
 * Simulated Application Auto Scaling for the `sagemaker` namespace: scalable targets, target
 * tracking and step scaling policies, and scaling activities, acting on {@link ScalableResource}s
 * when the policies' CloudWatch alarms invoke them.
 *
 * Decision rules (FACTS.md, "Application Auto Scaling"):
 * - Target tracking proposes ceil(current × metric / target) from the newest datapoint its alarm
 *   evaluated; AlarmHigh scales out when the proposal exceeds the desired capacity (so capacity
 *   already added but not yet in service counts toward the decision: the scale-out cooldown's
 *   rule), AlarmLow scales in when it is below.
 * - Step scaling picks the step for (aggregated metric − threshold) and adjusts the desired
 *   capacity; during its cooldown after a scale-out, a further scale-out starts from the capacity
 *   before that scale-out, so only a larger step adds capacity.
 * - Scale-in waits for the scale-in cooldown after the previous scale-in (a scale-out cancels it),
 *   never runs while a scale-in is still in progress or while a target-tracking alarm of the target
 *   is INSUFFICIENT_DATA, and with several target-tracking policies happens only when all agree
 *   (each one's AlarmLow in ALARM, none's AlarmHigh), to the largest capacity any of them proposes.
 * - Results clamp to [MinCapacity, MaxCapacity]; a scale that cannot happen is a "not scaled"
 *   activity (AlreadyAtMaxCapacity, AlreadyAtMinCapacity, AlreadyAtDesiredCapacity), recorded once
 *   per repeat of the same reason.
 *
 * Activities go Pending → InProgress (when the desired capacity is set on the resource) →
 * Successful once the resource reports its current capacity reached the desired value, so EndTime
 * marks capacity ready; Failed when the resource refuses; Overridden when a scale the other way
 * replaces one still in progress. Wordings follow AWS: Description "Setting desired instance count
 * to 3.", Cause "monitor alarm {alarm} in state ALARM triggered policy {policy}", StatusMessage
 * "Successfully set desired instance count to 3. Change successfully fulfilled by sagemaker."; a not
 * scaled activity reads "Attempting to scale due to alarm triggered" with StatusCode Failed.
 */
import type { Clock } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import type { AlarmActionEvent, AlarmService, MetricDataQueryInput, PutMetricAlarmInput } from './alarms.js';
import { CloudApiError, validation } from './errors.js';
import { scalableTargetArn, scalingPolicyArn } from './ids.js';
import { adjustCapacity, aggregateMetric, pickStep, type AdjustmentType, type MetricAggregationType, type StepAdjustment } from './step-scaling.js';
import {
  PREDEFINED_METRICS,
  SAGEMAKER_NAMESPACE,
  parseResourceId,
  targetTrackingAlarms,
  trackedCapacity,
  type PredefinedMetricType,
  type TargetTrackingAlarmShapes,
  type TrackedMetric,
} from './target-tracking.js';
import { SCALABLE_DIMENSIONS, type AwsIdentity, type Dimension, type ScalableDimension, type ScalableResource, type ScalableResourceRegistry } from './types.js';

export const SERVICE_NAMESPACE = 'sagemaker';

export interface SuspendedState {
  DynamicScalingInSuspended?: boolean;
  DynamicScalingOutSuspended?: boolean;
  ScheduledScalingSuspended?: boolean;
}

export interface RegisterScalableTargetInput {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity?: number;
  MaxCapacity?: number;
  RoleARN?: string;
  SuspendedState?: SuspendedState;
}

export interface ScalableTargetView {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: ScalableDimension;
  MinCapacity: number;
  MaxCapacity: number;
  RoleARN: string;
  CreationTimeMs: number;
  SuspendedState: Required<SuspendedState>;
  ScalableTargetARN: string;
}

/** TargetTrackingMetricDataQuery: a `Metrics` entry of a customized metric (no period). */
export interface TargetTrackingMetricDataQuery {
  Id: string;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Stat: string; Unit?: string };
}

export interface TargetTrackingConfiguration {
  TargetValue: number;
  PredefinedMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
  CustomizedMetricSpecification?: {
    MetricName?: string;
    Namespace?: string;
    Dimensions?: Dimension[];
    Statistic?: string;
    Unit?: string;
    Metrics?: TargetTrackingMetricDataQuery[];
  };
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

export interface StepScalingConfiguration {
  AdjustmentType?: AdjustmentType;
  StepAdjustments?: StepAdjustment[];
  MinAdjustmentMagnitude?: number;
  Cooldown?: number;
  MetricAggregationType?: MetricAggregationType;
}

export type PolicyType = 'StepScaling' | 'TargetTrackingScaling';

export interface PutScalingPolicyInput {
  PolicyName: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  PolicyType?: PolicyType;
  StepScalingPolicyConfiguration?: StepScalingConfiguration;
  TargetTrackingScalingPolicyConfiguration?: TargetTrackingConfiguration;
}

export interface AlarmRef {
  AlarmName: string;
  AlarmARN: string;
}

export interface ScalingPolicyView {
  PolicyARN: string;
  PolicyName: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: ScalableDimension;
  PolicyType: PolicyType;
  StepScalingPolicyConfiguration?: StepScalingConfiguration;
  TargetTrackingScalingPolicyConfiguration?: TargetTrackingConfiguration;
  Alarms: AlarmRef[];
  CreationTimeMs: number;
}

export type ActivityStatus = 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed';
export type NotScaledCode = 'AlreadyAtMaxCapacity' | 'AlreadyAtMinCapacity' | 'AlreadyAtDesiredCapacity';

export interface NotScaledReason {
  Code: NotScaledCode;
  MaxCapacity?: number;
  MinCapacity?: number;
  CurrentCapacity?: number;
}

export interface ScalingActivityView {
  ActivityId: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: ScalableDimension;
  Description: string;
  Cause: string;
  StartTimeMs: number;
  EndTimeMs?: number;
  StatusCode: ActivityStatus;
  StatusMessage?: string;
  NotScaledReasons?: NotScaledReason[];
}

export interface AutoScalingOptions {
  clock: Clock;
  alarms: AlarmService;
  resources: ScalableResourceRegistry;
  identity: AwsIdentity;
  uuid: () => string;
  /** Cooldown (seconds) when a policy gives none: ScaleOutCooldown, ScaleInCooldown, step Cooldown. */
  defaultCooldownS: number;
  /** Pending → InProgress delay: when the desired capacity reaches the resource. */
  activityStartDelayMs: number;
  alarmShapes: TargetTrackingAlarmShapes;
}

interface Target {
  key: string;
  view: ScalableTargetView;
  resource: ScalableResource;
  unsubscribe: () => void;
  /** Scale-in is blocked until then (previous scale-in's end + its cooldown). */
  scaleInBlockedUntilMs: number;
  /** The last not-scaled reason recorded, to record a repeated one once. */
  lastNotScaled: string | undefined;
}

interface Policy {
  view: ScalingPolicyView;
  targetKey: string;
  uuid: string;
  /** Target tracking: the alarms it created. */
  highAlarm?: string;
  lowAlarm?: string;
  /** Target tracking: its latest proposal, for the all-policies-agree scale-in rule. */
  lastProposal?: number;
  /** Step scaling: the last scale-out, for the cooldown rule. */
  lastScaleOut?: { baseCapacity: number; activity: Activity };
  lastScaleIn?: Activity;
}

interface Activity {
  view: ScalingActivityView;
  target: Target;
  desired: number;
  direction: 'out' | 'in';
  cooldownMs: number;
}

const targetKey = (resourceId: string, dim: string): string => `${dim}|${resourceId}`;

const notFoundTarget = (i: { ServiceNamespace: string; ResourceId: string; ScalableDimension: string }): CloudApiError =>
  new CloudApiError(
    'ObjectNotFoundException',
    `No scalable target registered for service namespace: ${i.ServiceNamespace}, resource ID: ${i.ResourceId}, scalable dimension: ${i.ScalableDimension}`,
  );

export class AutoScalingService {
  private readonly targets = new Map<string, Target>();
  private readonly policies = new Map<string, Policy>();
  private readonly policiesByArn = new Map<string, Policy>();
  private readonly activities: Activity[] = [];

  constructor(private readonly options: AutoScalingOptions) {
    options.alarms.registerActionHandler('arn:aws:autoscaling:', (e) => this.onAlarmAction(e));
  }

  registerScalableTarget(input: RegisterScalableTargetInput): { ScalableTargetARN: string } {
    const dim = this.checkTargetId(input);
    const key = targetKey(input.ResourceId, dim);
    const existing = this.targets.get(key);
    const min = input.MinCapacity ?? existing?.view.MinCapacity;
    const max = input.MaxCapacity ?? existing?.view.MaxCapacity;
    if (min === undefined || max === undefined) {
      throw validation('MinCapacity and MaxCapacity are required when registering a new scalable target');
    }
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0) throw validation('MinCapacity and MaxCapacity must be non-negative integers');
    if (min > max) throw validation(`Minimum capacity (${min}) cannot be greater than maximum capacity (${max})`);
    const resource = existing?.resource ?? this.options.resources.get(input.ResourceId, dim);
    if (!resource) throw validation(`The resource ${input.ResourceId} (${dim}) does not exist`);
    const suspended = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false, ...existing?.view.SuspendedState, ...input.SuspendedState };
    let target = existing;
    if (target) {
      Object.assign(target.view, { MinCapacity: min, MaxCapacity: max, SuspendedState: suspended, RoleARN: input.RoleARN ?? target.view.RoleARN });
    } else {
      const view: ScalableTargetView = {
        ServiceNamespace: SERVICE_NAMESPACE,
        ResourceId: input.ResourceId,
        ScalableDimension: dim,
        MinCapacity: min,
        MaxCapacity: max,
        RoleARN:
          input.RoleARN ??
          `arn:aws:iam::${this.options.identity.accountId}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
        CreationTimeMs: this.options.clock.nowMs(),
        SuspendedState: suspended,
        ScalableTargetARN: scalableTargetArn(this.options.identity, this.options.uuid()),
      };
      const created: Target = { key, view, resource, unsubscribe: () => {}, scaleInBlockedUntilMs: Number.NEGATIVE_INFINITY, lastNotScaled: undefined };
      created.unsubscribe = resource.onCapacityChange(() => this.settle(created));
      this.targets.set(key, created);
      target = created;
    }
    const desired = this.desiredOf(target);
    if (desired < min) this.startActivity(target, min, `minimum capacity was set to ${min}`, 'out', 0);
    else if (desired > max) this.startActivity(target, max, `maximum capacity was set to ${max}`, 'in', 0);
    return { ScalableTargetARN: target.view.ScalableTargetARN };
  }

  /** Removes a target, its policies and the alarms they created. */
  deregisterScalableTarget(input: { ServiceNamespace: string; ResourceId: string; ScalableDimension: string }): void {
    const dim = this.checkTargetId(input);
    const target = this.targets.get(targetKey(input.ResourceId, dim));
    if (!target) throw notFoundTarget(input);
    for (const p of [...this.policies.values()]) if (p.targetKey === target.key) this.removePolicy(p);
    target.unsubscribe();
    this.targets.delete(target.key);
  }

  describeScalableTargets(filter: { ServiceNamespace: string; ResourceIds?: readonly string[]; ScalableDimension?: string }): ScalableTargetView[] {
    this.checkNamespace(filter.ServiceNamespace);
    return [...this.targets.values()]
      .map((t) => t.view)
      .filter((v) => !filter.ResourceIds?.length || filter.ResourceIds.includes(v.ResourceId))
      .filter((v) => filter.ScalableDimension === undefined || v.ScalableDimension === filter.ScalableDimension)
      .map((v) => structuredClone(v));
  }

  putScalingPolicy(input: PutScalingPolicyInput): { PolicyARN: string; Alarms: AlarmRef[] } {
    const dim = this.checkTargetId(input);
    const target = this.targets.get(targetKey(input.ResourceId, dim));
    if (!target) throw notFoundTarget(input);
    const type = input.PolicyType ?? 'StepScaling';
    const key = `${target.key}|${input.PolicyName}`;
    const existing = this.policies.get(key);
    if (existing && existing.view.PolicyType !== type) this.removePolicy(existing);
    const kept = existing && existing.view.PolicyType === type ? existing : undefined;
    const uuid = kept?.uuid ?? this.options.uuid();
    const view: ScalingPolicyView = {
      PolicyARN: scalingPolicyArn(this.options.identity, uuid, SERVICE_NAMESPACE, input.ResourceId, input.PolicyName),
      PolicyName: input.PolicyName,
      ServiceNamespace: SERVICE_NAMESPACE,
      ResourceId: input.ResourceId,
      ScalableDimension: dim,
      PolicyType: type,
      Alarms: [],
      CreationTimeMs: kept?.view.CreationTimeMs ?? this.options.clock.nowMs(),
    };
    const policy: Policy = { ...kept, view, targetKey: target.key, uuid };
    if (type === 'TargetTrackingScaling') {
      const cfg = input.TargetTrackingScalingPolicyConfiguration;
      if (!cfg) throw validation('TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy');
      if (input.StepScalingPolicyConfiguration) throw validation('StepScalingPolicyConfiguration cannot be used with a TargetTrackingScaling policy');
      if (!(cfg.TargetValue > 0)) throw validation('TargetValue must be greater than 0');
      const metric = trackedMetric(cfg, input.ResourceId);
      const alarms = targetTrackingAlarms({ resourceId: input.ResourceId, uuid, policyArn: view.PolicyARN, targetValue: cfg.TargetValue, metric, shapes: this.options.alarmShapes });
      this.putAlarm(alarms.high);
      this.putAlarm(alarms.low);
      view.TargetTrackingScalingPolicyConfiguration = structuredClone(cfg);
      policy.highAlarm = alarms.high.AlarmName;
      policy.lowAlarm = alarms.low.AlarmName;
    } else {
      const cfg = input.StepScalingPolicyConfiguration;
      if (!cfg) throw validation('StepScalingPolicyConfiguration is required for a StepScaling policy');
      if (input.TargetTrackingScalingPolicyConfiguration) throw validation('TargetTrackingScalingPolicyConfiguration cannot be used with a StepScaling policy');
      if (!cfg.AdjustmentType) throw validation('AdjustmentType is required for a step scaling policy');
      if (!cfg.StepAdjustments?.length) throw validation('At least one step adjustment is required for a step scaling policy');
      view.StepScalingPolicyConfiguration = structuredClone(cfg);
    }
    this.policies.set(key, policy);
    this.policiesByArn.set(view.PolicyARN, policy);
    return { PolicyARN: view.PolicyARN, Alarms: this.alarmRefs(policy) };
  }

  /** Deletes a policy and the alarms it created (a step policy's own alarm stays, as on AWS). */
  deleteScalingPolicy(input: { PolicyName: string; ServiceNamespace: string; ResourceId: string; ScalableDimension: string }): void {
    const dim = this.checkTargetId(input);
    const policy = this.policies.get(`${targetKey(input.ResourceId, dim)}|${input.PolicyName}`);
    if (!policy) {
      throw new CloudApiError(
        'ObjectNotFoundException',
        `No scaling policy found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`,
      );
    }
    this.removePolicy(policy);
  }

  describeScalingPolicies(filter: { ServiceNamespace: string; PolicyNames?: readonly string[]; ResourceId?: string; ScalableDimension?: string }): ScalingPolicyView[] {
    this.checkNamespace(filter.ServiceNamespace);
    return [...this.policies.values()]
      .filter((p) => !filter.PolicyNames?.length || filter.PolicyNames.includes(p.view.PolicyName))
      .filter((p) => filter.ResourceId === undefined || p.view.ResourceId === filter.ResourceId)
      .filter((p) => filter.ScalableDimension === undefined || p.view.ScalableDimension === filter.ScalableDimension)
      .map((p) => ({ ...structuredClone(p.view), Alarms: this.alarmRefs(p) }));
  }

  /** Activities newest first; not-scaled ones only when asked. */
  describeScalingActivities(filter: { ServiceNamespace: string; ResourceId?: string; ScalableDimension?: string; IncludeNotScaledActivities?: boolean }): ScalingActivityView[] {
    this.checkNamespace(filter.ServiceNamespace);
    return this.activities
      .map((a) => a.view)
      .filter((v) => filter.ResourceId === undefined || v.ResourceId === filter.ResourceId)
      .filter((v) => filter.ScalableDimension === undefined || v.ScalableDimension === filter.ScalableDimension)
      .filter((v) => filter.IncludeNotScaledActivities === true || v.NotScaledReasons === undefined)
      .map((v) => structuredClone(v))
      .reverse();
  }

  /** Stops listening to the resources. */
  close(): void {
    for (const t of this.targets.values()) t.unsubscribe();
  }

  private checkNamespace(ns: string): void {
    if (ns !== SERVICE_NAMESPACE) throw validation(`The simulated control plane serves the ${SERVICE_NAMESPACE} service namespace only, not ${ns}`);
  }

  private checkTargetId(i: { ServiceNamespace: string; ResourceId: string; ScalableDimension: string }): ScalableDimension {
    this.checkNamespace(i.ServiceNamespace);
    const dim = SCALABLE_DIMENSIONS.find((d) => d === i.ScalableDimension);
    if (!dim) throw validation(`Unsupported scalable dimension ${i.ScalableDimension} for service namespace ${i.ServiceNamespace}`);
    const parsed = parseResourceId(i.ResourceId);
    const expected = dim === 'sagemaker:variant:DesiredInstanceCount' ? 'variant' : 'inference-component';
    if (parsed?.kind !== expected) throw validation(`Unsupported resource ID ${i.ResourceId} for scalable dimension ${dim}`);
    return dim;
  }

  private putAlarm(input: PutMetricAlarmInput): void {
    this.options.alarms.putMetricAlarm(input);
  }

  private alarmRefs(p: Policy): AlarmRef[] {
    const alarms = this.options.alarms;
    const names = p.highAlarm && p.lowAlarm ? [p.highAlarm, p.lowAlarm] : alarms.describeAlarms({ actionPrefix: p.view.PolicyARN }).map((a) => a.AlarmName);
    return names.flatMap((n) => {
      const a = alarms.get(n);
      return a ? [{ AlarmName: a.AlarmName, AlarmARN: a.AlarmArn }] : [];
    });
  }

  private removePolicy(p: Policy): void {
    const own = [p.highAlarm, p.lowAlarm].filter((n): n is string => n !== undefined && this.options.alarms.get(n) !== undefined);
    if (own.length > 0) this.options.alarms.deleteAlarms(own);
    this.policies.delete(`${p.targetKey}|${p.view.PolicyName}`);
    this.policiesByArn.delete(p.view.PolicyARN);
  }

  /** The capacity asked for, including an activity still Pending. */
  private desiredOf(t: Target): number {
    const pending = this.activities.findLast((a) => a.target === t && a.view.StatusCode === 'Pending');
    return pending ? pending.desired : t.resource.desiredCapacity();
  }

  private onAlarmAction(e: AlarmActionEvent): void {
    const policy = this.policiesByArn.get(e.actionArn);
    if (!policy) throw new Error(`no scaling policy ${e.actionArn}`);
    if (e.state !== 'ALARM') return;
    const target = this.targets.get(policy.targetKey);
    if (!target) return;
    const cause = `monitor alarm ${e.alarmName} in state ALARM triggered policy ${policy.view.PolicyName}`;
    const tt = policy.view.TargetTrackingScalingPolicyConfiguration;
    if (tt) this.targetTracking(target, policy, tt, e, cause);
    else if (policy.view.StepScalingPolicyConfiguration) this.stepScaling(target, policy, policy.view.StepScalingPolicyConfiguration, e, cause);
  }

  private targetTracking(target: Target, policy: Policy, cfg: TargetTrackingConfiguration, e: AlarmActionEvent, cause: string): void {
    const metric = e.evaluated[0]?.value;
    if (metric === undefined) return;
    const proposed = trackedCapacity(target.resource.currentCapacity(), metric, cfg.TargetValue);
    policy.lastProposal = proposed;
    const cooldownS = (e.alarmName === policy.highAlarm ? cfg.ScaleOutCooldown : cfg.ScaleInCooldown) ?? this.options.defaultCooldownS;
    if (e.alarmName === policy.highAlarm) {
      this.scaleOut(target, policy, proposed, cause, cooldownS * 1000);
    } else if (e.alarmName === policy.lowAlarm && !cfg.DisableScaleIn && this.trackingPoliciesAgreeToScaleIn(target, policy)) {
      const others = this.trackingPolicies(target).filter((p) => p !== policy && !p.view.TargetTrackingScalingPolicyConfiguration?.DisableScaleIn);
      const largest = Math.max(proposed, ...others.map((p) => p.lastProposal ?? Number.POSITIVE_INFINITY));
      this.scaleIn(target, policy, largest, cause, cooldownS * 1000);
    }
  }

  private stepScaling(target: Target, policy: Policy, cfg: StepScalingConfiguration, e: AlarmActionEvent, cause: string): void {
    const metric = aggregateMetric(
      e.evaluated.map((d) => d.value),
      cfg.MetricAggregationType,
    );
    if (metric === undefined) return;
    const step = pickStep(cfg.StepAdjustments ?? [], metric - e.threshold);
    if (!step) return;
    const type = cfg.AdjustmentType ?? 'ChangeInCapacity';
    const cooldownMs = (cfg.Cooldown ?? this.options.defaultCooldownS) * 1000;
    const desired = this.desiredOf(target);
    const outward = type === 'ExactCapacity' ? step.ScalingAdjustment > desired : step.ScalingAdjustment > 0;
    if (outward) {
      const last = policy.lastScaleOut;
      const inCooldown = last !== undefined && (last.activity.view.EndTimeMs === undefined || this.options.clock.nowMs() < last.activity.view.EndTimeMs + cooldownMs);
      const base = inCooldown && last ? last.baseCapacity : desired;
      const activity = this.scaleOut(target, policy, adjustCapacity(type, base, step.ScalingAdjustment, cfg.MinAdjustmentMagnitude), cause, cooldownMs);
      if (activity) policy.lastScaleOut = { baseCapacity: base, activity };
    } else {
      this.scaleIn(target, policy, adjustCapacity(type, desired, step.ScalingAdjustment, cfg.MinAdjustmentMagnitude), cause, cooldownMs);
    }
  }

  private trackingPolicies(target: Target): Policy[] {
    return [...this.policies.values()].filter((p) => p.targetKey === target.key && p.view.PolicyType === 'TargetTrackingScaling');
  }

  /** No target-tracking alarm INSUFFICIENT_DATA; every other policy's AlarmLow in ALARM (unless it disables scale-in) and no AlarmHigh in ALARM. */
  private trackingPoliciesAgreeToScaleIn(target: Target, policy: Policy): boolean {
    const state = (name: string | undefined): string | undefined => (name ? this.options.alarms.get(name)?.StateValue : undefined);
    return this.trackingPolicies(target).every((p) => {
      const high = state(p.highAlarm);
      const low = state(p.lowAlarm);
      if (high === 'INSUFFICIENT_DATA' || low === 'INSUFFICIENT_DATA' || high === 'ALARM') return false;
      return p === policy || p.view.TargetTrackingScalingPolicyConfiguration?.DisableScaleIn === true || low === 'ALARM';
    });
  }

  private scaleOut(target: Target, policy: Policy, proposed: number, cause: string, cooldownMs: number): Activity | undefined {
    if (target.view.SuspendedState.DynamicScalingOutSuspended) return undefined;
    const desired = this.desiredOf(target);
    if (proposed <= desired) {
      this.notScaled(target, policy, cause, { Code: 'AlreadyAtDesiredCapacity', CurrentCapacity: desired });
      return undefined;
    }
    const capped = Math.min(proposed, target.view.MaxCapacity);
    if (capped <= desired) {
      this.notScaled(target, policy, cause, { Code: 'AlreadyAtMaxCapacity', MaxCapacity: target.view.MaxCapacity, CurrentCapacity: desired });
      return undefined;
    }
    return this.startActivity(target, capped, cause, 'out', cooldownMs);
  }

  private scaleIn(target: Target, policy: Policy, proposed: number, cause: string, cooldownMs: number): void {
    if (target.view.SuspendedState.DynamicScalingInSuspended) return;
    const desired = this.desiredOf(target);
    if (proposed >= desired) return;
    const busy = this.activities.some((a) => a.target === target && a.direction === 'in' && (a.view.StatusCode === 'Pending' || a.view.StatusCode === 'InProgress'));
    if (busy || this.options.clock.nowMs() < target.scaleInBlockedUntilMs) return;
    const floored = Math.max(proposed, target.view.MinCapacity);
    if (floored >= desired) {
      this.notScaled(target, policy, cause, { Code: 'AlreadyAtMinCapacity', MinCapacity: target.view.MinCapacity, CurrentCapacity: desired });
      return;
    }
    policy.lastScaleIn = this.startActivity(target, floored, cause, 'in', cooldownMs);
  }

  private notScaled(target: Target, policy: Policy, cause: string, reason: NotScaledReason): void {
    const key = `${policy.view.PolicyName}|${reason.Code}`;
    if (target.lastNotScaled === key) return;
    target.lastNotScaled = key;
    const nowMs = this.options.clock.nowMs();
    this.activities.push({
      view: {
        ...this.activityBase(target),
        Description: 'Attempting to scale due to alarm triggered',
        Cause: cause,
        StartTimeMs: nowMs,
        EndTimeMs: nowMs,
        StatusCode: 'Failed',
        NotScaledReasons: [reason],
      },
      target,
      desired: this.desiredOf(target),
      direction: reason.Code === 'AlreadyAtMinCapacity' ? 'in' : 'out',
      cooldownMs: 0,
    });
  }

  private activityBase(target: Target): Pick<ScalingActivityView, 'ActivityId' | 'ServiceNamespace' | 'ResourceId' | 'ScalableDimension'> {
    return { ActivityId: this.options.uuid(), ServiceNamespace: SERVICE_NAMESPACE, ResourceId: target.view.ResourceId, ScalableDimension: target.view.ScalableDimension };
  }

  private startActivity(target: Target, desired: number, cause: string, direction: 'out' | 'in', cooldownMs: number): Activity {
    const nowMs = this.options.clock.nowMs();
    target.lastNotScaled = undefined;
    if (direction === 'out') target.scaleInBlockedUntilMs = Number.NEGATIVE_INFINITY;
    for (const a of this.activities) {
      if (a.target === target && a.direction !== direction && (a.view.StatusCode === 'Pending' || a.view.StatusCode === 'InProgress')) {
        a.view.StatusCode = 'Overridden';
        a.view.EndTimeMs = nowMs;
      }
    }
    const activity: Activity = {
      view: { ...this.activityBase(target), Description: `Setting desired ${noun(target)} count to ${desired}.`, Cause: cause, StartTimeMs: nowMs, StatusCode: 'Pending' },
      target,
      desired,
      direction,
      cooldownMs,
    };
    this.activities.push(activity);
    this.options.clock.setTimer(nowMs + this.options.activityStartDelayMs, () => this.begin(activity));
    return activity;
  }

  private begin(activity: Activity): void {
    if (activity.view.StatusCode !== 'Pending') return;
    try {
      activity.target.resource.setDesiredCapacity(activity.desired);
    } catch (e: unknown) {
      this.finish(activity, 'Failed', `Failed to set desired ${noun(activity.target)} count to ${activity.desired}. Reason: ${errorMessage(e)}`);
      return;
    }
    activity.view.StatusCode = 'InProgress';
    this.settle(activity.target);
  }

  /** Completes the target's in-progress activities whose capacity is now in service. */
  private settle(target: Target): void {
    const current = target.resource.currentCapacity();
    for (const a of this.activities) {
      if (a.target !== target || a.view.StatusCode !== 'InProgress') continue;
      if (a.direction === 'out' ? current >= a.desired : current <= a.desired) {
        this.finish(a, 'Successful', `Successfully set desired ${noun(target)} count to ${a.desired}. Change successfully fulfilled by ${SERVICE_NAMESPACE}.`);
      }
    }
  }

  private finish(a: Activity, status: 'Successful' | 'Failed', message: string): void {
    const nowMs = this.options.clock.nowMs();
    a.view.StatusCode = status;
    a.view.StatusMessage = message;
    a.view.EndTimeMs = nowMs;
    if (status === 'Successful' && a.direction === 'in') a.target.scaleInBlockedUntilMs = nowMs + a.cooldownMs;
  }
}

const noun = (t: Target): string => (t.view.ScalableDimension === 'sagemaker:variant:DesiredInstanceCount' ? 'instance' : 'copy');

/** The metric a target-tracking configuration follows, as alarm fields. */
function trackedMetric(cfg: TargetTrackingConfiguration, resourceId: string): TrackedMetric {
  const predefined = cfg.PredefinedMetricSpecification;
  const custom = cfg.CustomizedMetricSpecification;
  if ((predefined === undefined) === (custom === undefined)) {
    throw validation('Exactly one of PredefinedMetricSpecification or CustomizedMetricSpecification must be specified');
  }
  if (predefined) {
    const type = predefined.PredefinedMetricType as PredefinedMetricType;
    const spec = PREDEFINED_METRICS[type] as (typeof PREDEFINED_METRICS)[PredefinedMetricType] | undefined;
    const parsed = parseResourceId(resourceId);
    if (!spec || !parsed) throw validation(`Unsupported predefined metric type ${predefined.PredefinedMetricType} for service namespace sagemaker`);
    if (spec.resource !== parsed.kind) throw validation(`Predefined metric type ${type} does not apply to resource ${resourceId}`);
    return {
      fields: { Namespace: SAGEMAKER_NAMESPACE, MetricName: spec.metricName, Dimensions: parsed.dimensions, Statistic: spec.statistic },
      highResolution: spec.highResolution,
    };
  }
  const c = custom as NonNullable<TargetTrackingConfiguration['CustomizedMetricSpecification']>;
  if (c.Metrics) {
    const metrics: MetricDataQueryInput[] = c.Metrics.map((q) => ({
      Id: q.Id,
      ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
      ...(q.Label !== undefined ? { Label: q.Label } : {}),
      ...(q.ReturnData !== undefined ? { ReturnData: q.ReturnData } : {}),
      ...(q.MetricStat
        ? {
            MetricStat: {
              Metric: { Namespace: q.MetricStat.Metric.Namespace ?? '', MetricName: q.MetricStat.Metric.MetricName ?? '', Dimensions: q.MetricStat.Metric.Dimensions ?? [] },
              Period: 60,
              Stat: q.MetricStat.Stat,
              ...(q.MetricStat.Unit !== undefined ? { Unit: q.MetricStat.Unit } : {}),
            },
          }
        : {}),
    }));
    return { fields: { Metrics: metrics }, highResolution: false };
  }
  if (!c.MetricName || !c.Namespace || !c.Statistic) throw validation('CustomizedMetricSpecification needs MetricName, Namespace and Statistic, or Metrics');
  return {
    fields: { Namespace: c.Namespace, MetricName: c.MetricName, Dimensions: c.Dimensions ?? [], Statistic: c.Statistic, ...(c.Unit !== undefined ? { Unit: c.Unit } : {}) },
    highResolution: false,
  };
}
