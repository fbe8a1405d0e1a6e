/**
 * cloud.json: what the cloud sources returned for a run's window, timestamps in epoch ms of THIS
 * machine's clock (AWS timestamps are shifted by `clockOffsetMs` when it is known). Written by the
 * cloud readers against AWS or the simulator; read by correlate/ and report/.
 */

export type ScalableResourceKind = 'variant' | 'inference-component';

export interface CloudResource {
  kind: ScalableResourceKind;
  endpointName: string;
  variantName?: string;
  inferenceComponentName?: string;
  /** Application Auto Scaling ids: `endpoint/{ep}/variant/{v}` or `inference-component/{ic}`. */
  resourceId: string;
  scalableDimension: 'sagemaker:variant:DesiredInstanceCount' | 'sagemaker:inference-component:DesiredCopyCount';
}

export interface MetricPoint {
  tMs: number;
  value: number;
}

export interface MetricSeries {
  /** A stable id, e.g. `concurrency_max`, `invocations_sum`. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** CloudWatch statistic: Sum, Average, Maximum, Minimum, SampleCount or a percentile like p99. */
  stat: string;
  periodS: number;
  unit?: string;
  /** Ascending by time. */
  points: MetricPoint[];
}

export type AlarmRole = 'scale-out' | 'scale-in' | 'other';

export interface AlarmInfo {
  name: string;
  role: AlarmRole;
  policyName?: string;
  metricName?: string;
  namespace?: string;
  stat?: string;
  periodS?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparison?: string;
}

export interface AlarmTransition {
  alarmName: string;
  tMs: number;
  from: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  to: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  summary: string;
}

export interface ScalingActivity {
  activityId: string;
  startMs: number;
  endMs?: number;
  statusCode: 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed';
  description: string;
  cause: string;
  statusMessage?: string;
  /** Desired capacity the activity set, parsed from its description when present. */
  toCapacity?: number;
  /** Not-scaled activities (IncludeNotScaledActivities): their reasons' codes. */
  notScaledReasons?: string[];
}

export interface CapacitySample {
  tMs: number;
  desired: number;
  current: number;
}

export interface PolicyInfo {
  name: string;
  type: 'TargetTrackingScaling' | 'StepScaling' | string;
  /** Target tracking: the metric (predefined type or customized metric name) and target value. */
  metric?: string;
  targetValue?: number;
  scaleOutCooldownS?: number;
  scaleInCooldownS?: number;
  alarmNames: string[];
}

export interface CloudData {
  source: 'aws' | 'simulator';
  region?: string;
  resource: CloudResource;
  /** AWS clock minus this machine's clock, estimated from response `Date` headers. */
  clockOffsetMs?: number;
  /** The window that was read, epoch ms. */
  window: { startMs: number; endMs: number };
  fetchedAtMs: number;
  policies: PolicyInfo[];
  alarms: AlarmInfo[];
  alarmTransitions: AlarmTransition[];
  activities: ScalingActivity[];
  capacity: CapacitySample[];
  metrics: MetricSeries[];
  /** What could not be read and why (e.g. a missing permission, named). */
  warnings: string[];
}
