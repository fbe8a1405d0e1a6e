/**
 * The endpoint's or component's CloudWatch metrics over a window, through GetMetricData: the
 * queries per resource kind (with stable ids), their periods by the window's age and their calls
 * within the API's limits (metric-plan.ts), every page followed, series merged ascending.
 *
 * A query cut by a page boundary comes back `PartialData` and continues on the next page: pages
 * are followed until NextToken runs out, and a query's pieces are joined by id. Series with no
 * datapoint are left out.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { periodForAge, planMetricCalls, type PlannedCall } from './metric-plan.js';
import type { CloudResource, MetricPoint, MetricSeries } from './types.js';

export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
export const ENDPOINTS_NAMESPACE = '/aws/sagemaker/Endpoints';
export const COMPONENTS_NAMESPACE = '/aws/sagemaker/InferenceComponents';

/** A metric to read: the shape of a MetricSeries before its period and points are known. */
export interface MetricQuery {
  /** Stable id; also the GetMetricData query id (lowercase first, letters, digits, underscores). */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  /** The metric's own resolution: 10 (high resolution) or 60. */
  nativePeriodS: number;
  unit?: string;
}

interface MetricDef {
  id: string;
  namespace: string;
  metricName: string;
  stat: string;
  nativePeriodS: number;
  unit?: string;
}

const sm = (id: string, metricName: string, stat: string, unit?: string, nativePeriodS = 60): MetricDef => ({
  id,
  namespace: SAGEMAKER_NAMESPACE,
  metricName,
  stat,
  nativePeriodS,
  ...(unit !== undefined && { unit }),
});

/** Shared by both kinds (dimensions differ): invocations, latency, errors. */
const COMMON: MetricDef[] = [
  sm('invocations_sum', 'Invocations', 'Sum'),
  sm('model_latency_avg', 'ModelLatency', 'Average', 'Microseconds'),
  sm('model_latency_p50', 'ModelLatency', 'p50', 'Microseconds'),
  sm('model_latency_p99', 'ModelLatency', 'p99', 'Microseconds'),
  sm('overhead_latency_avg', 'OverheadLatency', 'Average', 'Microseconds'),
  sm('errors_4xx_sum', 'Invocation4XXErrors', 'Sum'),
  sm('errors_5xx_sum', 'Invocation5XXErrors', 'Sum'),
  sm('model_errors_sum', 'InvocationModelErrors', 'Sum'),
];

const utilization = (namespace: string, suffix: string): MetricDef[] =>
  (['GPU', 'GPUMemory', 'CPU'] as const).map((what) => ({
    id: `${what === 'GPUMemory' ? 'gpu_memory' : what.toLowerCase()}_utilization_avg`,
    namespace,
    metricName: `${what}Utilization${suffix}`,
    stat: 'Average',
    nativePeriodS: 60,
    unit: 'Percent',
  }));

const VARIANT_METRICS: MetricDef[] = [
  sm('concurrency_max', 'ConcurrentRequestsPerModel', 'Maximum', undefined, 10),
  ...COMMON,
  sm('invocations_per_instance_sum', 'InvocationsPerInstance', 'Sum'),
  ...utilization(ENDPOINTS_NAMESPACE, ''),
];

const COMPONENT_METRICS: MetricDef[] = [
  sm('concurrency_max', 'ConcurrentRequestsPerCopy', 'Maximum', undefined, 10),
  ...COMMON,
  sm('invocations_per_copy_sum', 'InvocationsPerCopy', 'Sum'),
  sm('no_capacity_failures_sum', 'NoCapacityInvocationFailures', 'Sum'),
  ...utilization(COMPONENTS_NAMESPACE, 'Normalized'),
];

/** The metrics read for a resource: a variant's by EndpointName + VariantName, a component's by InferenceComponentName. */
export function metricQueriesFor(resource: CloudResource): MetricQuery[] {
  const component = resource.kind === 'inference-component';
  const dimensions: Record<string, string> = component
    ? { InferenceComponentName: resource.inferenceComponentName ?? '' }
    : { EndpointName: resource.endpointName, VariantName: resource.variantName ?? '' };
  return (component ? COMPONENT_METRICS : VARIANT_METRICS).map((d) => ({ ...d, dimensions }));
}

export interface FetchMetricsOptions {
  /** Now on the reader's clock: the window's age picks the period. */
  nowMs: number;
  /** GetMetricData MaxDatapoints per page (tests use small pages); default the API's 100,800. */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface FetchedMetrics {
  series: MetricSeries[];
  /** The error that stopped the reading: `series` holds what the calls before it returned. */
  error?: unknown;
}

/** Reads `queries` over `window`, call after call; the first failed call ends the reading. */
export async function fetchMetricSeries(
  cloudwatch: CloudWatchClient,
  queries: readonly MetricQuery[],
  window: { startMs: number; endMs: number },
  options: FetchMetricsOptions,
): Promise<FetchedMetrics> {
  const ageMs = options.nowMs - window.startMs;
  const planned = queries.map((q) => ({ ...q, periodS: periodForAge(q.nativePeriodS, ageMs) }));
  const points = new Map<string, Map<number, number>>(planned.map((q) => [q.id, new Map()]));
  let error: unknown;
  try {
    for (const call of planMetricCalls(planned, window)) await fetchCall(cloudwatch, call, points, options);
  } catch (e: unknown) {
    error = e;
  }
  const series = planned.flatMap((q): MetricSeries[] => {
    const byTime = points.get(q.id);
    if (byTime === undefined || byTime.size === 0) return [];
    const ascending: MetricPoint[] = [...byTime].map(([tMs, value]) => ({ tMs, value })).sort((a, b) => a.tMs - b.tMs);
    return [
      {
        id: q.id,
        namespace: q.namespace,
        metricName: q.metricName,
        dimensions: q.dimensions,
        stat: q.stat,
        periodS: q.periodS,
        ...(q.unit !== undefined && { unit: q.unit }),
        points: ascending,
      },
    ];
  });
  return error === undefined ? { series } : { series, error };
}

/** One planned call, every page of it; points land in `points` by query id, then by time (a repeat overwrites). */
async function fetchCall(
  cloudwatch: CloudWatchClient,
  call: PlannedCall<MetricQuery & { periodS: number }>,
  points: Map<string, Map<number, number>>,
  options: FetchMetricsOptions,
): Promise<void> {
  const metricQueries: MetricDataQuery[] = call.queries.map((q) => ({
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
      Period: q.periodS,
      Stat: q.stat,
    },
  }));
  let nextToken: string | undefined;
  do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: metricQueries,
        StartTime: new Date(call.startMs),
        EndTime: new Date(call.endMs),
        ScanBy: 'TimestampAscending',
        ...(options.pageSize !== undefined && { MaxDatapoints: options.pageSize }),
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
      { ...(options.signal && { abortSignal: options.signal }) },
    );
    for (const r of out.MetricDataResults ?? []) {
      const byTime = r.Id === undefined ? undefined : points.get(r.Id);
      if (byTime === undefined) continue;
      const ts = r.Timestamps ?? [];
      const vs = r.Values ?? [];
      for (let i = 0; i < Math.min(ts.length, vs.length); i++) byTime.set((ts[i] as Date).getTime(), vs[i] as number);
    }
    nextToken = out.NextToken;
  } while (nextToken !== undefined);
}
