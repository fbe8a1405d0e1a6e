/**
 * Target tracking for SageMaker (pure): the predefined metric types, the dimensions a resource id
 * implies, the AlarmHigh/AlarmLow pair a policy creates, and the capacity rule.
 *
 * Alarm shapes (defaults; configurable): a high-resolution metric gets AlarmHigh = 3 datapoints
 * of 10 s above the target and AlarmLow = 90 datapoints of 10 s below 0.9 × target (AWS sample
 * notebook FasterAutoscaling-SME-Llama3-8B-AppAutoScaling); a standard metric 3 of 3 × 60 s and
 * 15 of 15 × 60 s (as EC2/ECS target tracking; inferred for SageMaker). Names are
 * `TargetTracking-{ResourceId}-AlarmHigh-{uuid}` and `…-AlarmLow-{uuid}`.
 */
import type { PutMetricAlarmInput } from './alarms.js';
import type { Dimension } from './types.js';

export type PredefinedMetricType =
  | 'SageMakerVariantInvocationsPerInstance'
  | 'SageMakerInferenceComponentInvocationsPerCopy'
  | 'SageMakerVariantConcurrentRequestsPerModelHighResolution'
  | 'SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution';

export interface PredefinedMetric {
  metricName: string;
  statistic: 'Sum' | 'Maximum';
  resource: 'variant' | 'inference-component';
  highResolution: boolean;
}

/** FACTS.md "Predefined metric types → metric": namespace AWS/SageMaker. */
export const PREDEFINED_METRICS: Record<PredefinedMetricType, PredefinedMetric> = {
  SageMakerVariantInvocationsPerInstance: { metricName: 'InvocationsPerInstance', statistic: 'Sum', resource: 'variant', highResolution: false },
  SageMakerInferenceComponentInvocationsPerCopy: { metricName: 'InvocationsPerCopy', statistic: 'Sum', resource: 'inference-component', highResolution: false },
  SageMakerVariantConcurrentRequestsPerModelHighResolution: {
    metricName: 'ConcurrentRequestsPerModel',
    statistic: 'Maximum',
    resource: 'variant',
    highResolution: true,
  },
  SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution: {
    metricName: 'ConcurrentRequestsPerCopy',
    statistic: 'Maximum',
    resource: 'inference-component',
    highResolution: true,
  },
};

export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';

/** One alarm of the pair: its period, datapoints (M = N) and threshold as a multiple of the target. */
export interface AlarmShape {
  periodS: number;
  datapoints: number;
  thresholdRatio: number;
}

/** The pair's shapes, per metric resolution. */
export interface TargetTrackingAlarmShapes {
  highResolution: { high: AlarmShape; low: AlarmShape };
  standard: { high: AlarmShape; low: AlarmShape };
}

export const DEFAULT_ALARM_SHAPES: TargetTrackingAlarmShapes = {
  highResolution: { high: { periodS: 10, datapoints: 3, thresholdRatio: 1 }, low: { periodS: 10, datapoints: 90, thresholdRatio: 0.9 } },
  standard: { high: { periodS: 60, datapoints: 3, thresholdRatio: 1 }, low: { periodS: 60, datapoints: 15, thresholdRatio: 0.9 } },
};

/** `endpoint/{ep}/variant/{v}` → kind and dimensions; undefined when it is neither form. */
export function parseResourceId(resourceId: string): { kind: 'variant' | 'inference-component'; dimensions: Dimension[] } | undefined {
  const variant = /^endpoint\/([^/]+)\/variant\/([^/]+)$/.exec(resourceId);
  if (variant) {
    return { kind: 'variant', dimensions: [{ Name: 'EndpointName', Value: variant[1] as string }, { Name: 'VariantName', Value: variant[2] as string }] };
  }
  const ic = /^inference-component\/([^/]+)$/.exec(resourceId);
  if (ic) return { kind: 'inference-component', dimensions: [{ Name: 'InferenceComponentName', Value: ic[1] as string }] };
  return undefined;
}

/** The metric a target-tracking policy follows, as alarm fields (classic or `Metrics`), plus its resolution. */
export interface TrackedMetric {
  fields: Pick<PutMetricAlarmInput, 'Namespace' | 'MetricName' | 'Dimensions' | 'Statistic' | 'ExtendedStatistic' | 'Unit' | 'Metrics'>;
  highResolution: boolean;
}

/**
 * The AlarmHigh and AlarmLow a policy creates. `Period` goes into the classic fields, or into
 * every MetricStat of a `Metrics` list (whose TargetTrackingMetricStat carries no period).
 */
export function targetTrackingAlarms(args: {
  resourceId: string;
  uuid: string;
  policyArn: string;
  targetValue: number;
  metric: TrackedMetric;
  shapes: TargetTrackingAlarmShapes;
}): { high: PutMetricAlarmInput; low: PutMetricAlarmInput } {
  const pair = args.metric.highResolution ? args.shapes.highResolution : args.shapes.standard;
  const make = (which: 'High' | 'Low', shape: AlarmShape): PutMetricAlarmInput => {
    const { Metrics, ...classic } = args.metric.fields;
    const metricFields = Metrics
      ? { Metrics: Metrics.map((q) => (q.MetricStat ? { ...q, MetricStat: { ...q.MetricStat, Period: shape.periodS } } : q)) }
      : { ...classic, Period: shape.periodS };
    return {
      AlarmName: `TargetTracking-${args.resourceId}-Alarm${which}-${args.uuid}`,
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${args.policyArn}.`,
      ActionsEnabled: true,
      AlarmActions: [args.policyArn],
      ...metricFields,
      EvaluationPeriods: shape.datapoints,
      DatapointsToAlarm: shape.datapoints,
      Threshold: args.targetValue * shape.thresholdRatio,
      ComparisonOperator: which === 'High' ? 'GreaterThanThreshold' : 'LessThanThreshold',
    };
  };
  return { high: make('High', pair.high), low: make('Low', pair.low) };
}

/**
 * Target tracking's capacity rule [inferred]: the capacity that would bring the metric to the
 * target if load stayed the same, ceil(current × metric / target). Not clamped.
 */
export function trackedCapacity(currentCapacity: number, metricValue: number, targetValue: number): number {
  return Math.max(0, Math.ceil((currentCapacity * metricValue) / targetValue - 1e-9));
}
