/**
 * What the simulated cloud did during a run, as cloud.json (src/cloud/types.ts): read straight from
 * the world's control plane and capacity model, for `scalelab simulate`, where no AWS API is
 * called. Timestamps are control-plane time, which in virtual time is the run's own time.
 */
import type { AlarmInfo, AlarmTransition, CloudData, MetricSeries, PolicyInfo, ScalingActivity } from '../cloud/types.js';
import { SERVICE_NAMESPACE } from './cloud/autoscaling.js';
import { parseResourceId } from './cloud/target-tracking.js';
import { dimensionsOf } from './metrics-publisher.js';
import type { SimWorld } from './world.js';
import { ScaledClock } from './cloud/scaled-clock.js';

const STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/** The cloud data of the world's first scalable target (or, with none, its first target); undefined without targets. */
export function simulatedCloudData(world: SimWorld, window: { startMs: number; endMs: number }): CloudData | undefined {
  const targets = world.endpoints.targets();
  const resourceId = world.config.autoscaling[0]?.resourceId ?? targets[0]?.capacity.resourceId;
  const target = targets.find((t) => t.capacity.resourceId === resourceId);
  if (target === undefined || resourceId === undefined) return undefined;
  const { autoscaling, alarms, store } = world.controlPlane;
  const policyViews = autoscaling.describeScalingPolicies({ ServiceNamespace: SERVICE_NAMESPACE, ResourceId: resourceId });
  const policies: PolicyInfo[] = policyViews.map((p) => {
    const tt = p.TargetTrackingScalingPolicyConfiguration;
    return {
      name: p.PolicyName,
      type: p.PolicyType,
      ...(tt?.PredefinedMetricSpecification && { metric: tt.PredefinedMetricSpecification.PredefinedMetricType }),
      ...(tt && { targetValue: tt.TargetValue }),
      ...(tt?.ScaleOutCooldown !== undefined && { scaleOutCooldownS: tt.ScaleOutCooldown }),
      ...(tt?.ScaleInCooldown !== undefined && { scaleInCooldownS: tt.ScaleInCooldown }),
      alarmNames: p.Alarms.map((a) => a.AlarmName),
    };
  });
  const alarmInfos: AlarmInfo[] = policyViews.flatMap((p) =>
    p.Alarms.flatMap((ref) => {
      const a = alarms.get(ref.AlarmName);
      if (a === undefined) return [];
      const outward = (p.StepScalingPolicyConfiguration?.StepAdjustments ?? []).some((s) => s.ScalingAdjustment > 0);
      const role = a.AlarmName.includes('-AlarmHigh-') || outward ? 'scale-out' : a.AlarmName.includes('-AlarmLow-') ? 'scale-in' : 'other';
      return [
        {
          name: a.AlarmName,
          role,
          policyName: p.PolicyName,
          ...(a.MetricName !== undefined && { metricName: a.MetricName }),
          ...(a.Namespace !== undefined && { namespace: a.Namespace }),
          ...((a.Statistic ?? a.ExtendedStatistic) !== undefined && { stat: a.Statistic ?? a.ExtendedStatistic }),
          ...(a.Period !== undefined && { periodS: a.Period }),
          evaluationPeriods: a.EvaluationPeriods,
          datapointsToAlarm: a.DatapointsToAlarm,
          ...(a.Threshold !== undefined && { threshold: a.Threshold }),
          comparison: a.ComparisonOperator,
        } satisfies AlarmInfo,
      ];
    }),
  );
  const alarmTransitions: AlarmTransition[] = alarmInfos.flatMap((a) =>
    alarms
      .describeHistory({ alarmName: a.name, historyItemType: 'StateUpdate', ascending: true })
      .filter((h) => h.TimestampMs >= window.startMs && h.TimestampMs <= window.endMs)
      .flatMap((h) => {
        const m = /from (\w+) to (\w+)/.exec(h.HistorySummary);
        if (!m || !STATES.has(m[1]!) || !STATES.has(m[2]!)) return [];
        return [{ alarmName: a.name, tMs: h.TimestampMs, from: m[1] as AlarmTransition['from'], to: m[2] as AlarmTransition['to'], summary: h.HistorySummary }];
      }),
  );
  const activities: ScalingActivity[] = autoscaling
    .describeScalingActivities({ ServiceNamespace: SERVICE_NAMESPACE, ResourceId: resourceId, IncludeNotScaledActivities: true })
    .reverse()
    .map((a) => {
      const to = /count to (\d+)/.exec(a.Description);
      return {
        activityId: a.ActivityId,
        startMs: a.StartTimeMs,
        ...(a.EndTimeMs !== undefined && { endMs: a.EndTimeMs }),
        statusCode: a.StatusCode,
        description: a.Description,
        cause: a.Cause,
        ...(a.StatusMessage !== undefined && { statusMessage: a.StatusMessage }),
        ...(to && { toCapacity: Number(to[1]) }),
        ...(a.NotScaledReasons && { notScaledReasons: a.NotScaledReasons.map((r) => r.Code) }),
      };
    });
  const dimensions = dimensionsOf(target);
  const isComponent = target.component !== undefined;
  const series = (id: string, metricName: string, stat: string, periodS: number, unit?: string): MetricSeries => ({
    id,
    namespace: 'AWS/SageMaker',
    metricName,
    dimensions: Object.fromEntries(dimensions.map((d) => [d.Name, d.Value])),
    stat,
    periodS,
    ...(unit !== undefined && { unit }),
    points: store
      .query({ metric: { namespace: 'AWS/SageMaker', metricName, dimensions }, periodS, stat, startMs: window.startMs, endMs: window.endMs, visibleAtMs: Number.POSITIVE_INFINITY })
      .map((d) => ({ tMs: d.timestampMs, value: d.value })),
  });
  const kind = parseResourceId(resourceId)?.kind ?? 'variant';
  return {
    source: 'simulator',
    region: world.config.sagemaker.region,
    resource: {
      kind,
      endpointName: target.endpoint,
      ...(isComponent ? { inferenceComponentName: target.component } : { variantName: target.variant }),
      resourceId,
      scalableDimension: target.capacity.scalableDimension,
    },
    window,
    fetchedAtMs: world.controlClock.nowMs(),
    policies,
    alarms: alarmInfos,
    alarmTransitions,
    activities,
    capacity: target.capacity.history().filter((s) => s.tMs <= window.endMs),
    metrics: [
      series('concurrency_max', isComponent ? 'ConcurrentRequestsPerCopy' : 'ConcurrentRequestsPerModel', 'Maximum', 10),
      series('invocations_sum', 'Invocations', 'Sum', 60),
      series(isComponent ? 'invocations_per_copy_sum' : 'invocations_per_instance_sum', isComponent ? 'InvocationsPerCopy' : 'InvocationsPerInstance', 'Sum', 60),
      series('model_latency_p99', 'ModelLatency', 'p99', 60, 'Microseconds'),
      ...(isComponent ? [series('no_capacity_sum', 'NoCapacityInvocationFailures', 'Sum', 60)] : []),
    ],
    warnings: [],
  };
}

/**
 * The same, on the serving clock's time axis: with a time scale F the control plane runs F times
 * faster, so its instants map back through the ScaledClock and its periods shrink by F. `window`
 * is in serving-clock time (the run's start and end).
 */
export function simulatedCloudDataRealTime(world: SimWorld, window: { startMs: number; endMs: number }): CloudData | undefined {
  const scaled = world.controlClock;
  if (!(scaled instanceof ScaledClock)) return simulatedCloudData(world, window);
  const data = simulatedCloudData(world, { startMs: scaled.toModelMs(window.startMs), endMs: scaled.toModelMs(window.endMs) });
  if (data === undefined) return undefined;
  const t = (ms: number): number => scaled.toInnerMs(ms);
  return {
    ...data,
    window,
    fetchedAtMs: t(data.fetchedAtMs),
    alarmTransitions: data.alarmTransitions.map((a) => ({ ...a, tMs: t(a.tMs) })),
    activities: data.activities.map((a) => ({ ...a, startMs: t(a.startMs), ...(a.endMs !== undefined && { endMs: t(a.endMs) }) })),
    capacity: data.capacity.map((c) => ({ ...c, tMs: t(c.tMs) })),
    metrics: data.metrics.map((m) => ({ ...m, periodS: m.periodS / scaled.factor, points: m.points.map((p) => ({ ...p, tMs: t(p.tMs) })) })),
    policies: data.policies.map((p) => ({
      ...p,
      ...(p.scaleOutCooldownS !== undefined && { scaleOutCooldownS: p.scaleOutCooldownS / scaled.factor }),
      ...(p.scaleInCooldownS !== undefined && { scaleInCooldownS: p.scaleInCooldownS / scaled.factor }),
    })),
    alarms: data.alarms.map((a) => ({ ...a, ...(a.periodS !== undefined && { periodS: a.periodS / scaled.factor }) })),
    warnings: [...data.warnings, `control-plane times are scaled back from a time scale of ${scaled.factor}: periods and cooldowns are shown divided by ${scaled.factor}`],
  };
}
