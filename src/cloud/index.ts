/** The cloud readers: what AWS (or the simulator) did during a run, as cloud.json. See README.md. */
export type * from './types.js';
export { createCloudClients, DEFAULT_READ_ATTEMPTS, type CloudClients, type CloudClientsConfig } from './clients.js';
export { resolveResource, resourceOf, DEFAULT_VARIANT, type CloudTarget } from './resource.js';
export { fetchMetricSeries, metricQueriesFor, type MetricQuery } from './metrics.js';
export { periodForAge, planMetricCalls } from './metric-plan.js';
export { readScalingActivities, readScalingPolicies } from './scaling.js';
export { readAlarms, readAlarmTransitions } from './alarms.js';
export { startCapacitySampler, readCapacity, DEFAULT_CAPACITY_INTERVAL_MS, type CapacitySampler, type CapacitySamplerOptions } from './capacity-sampler.js';
export { collectCloudData, writeCloudJson, CLOUD_FILE, DEFAULT_MARGIN_MS, DEFAULT_SETTLE_MS, type CollectOptions } from './collect.js';
export { READS, isPermissionDenied, readWarning } from './warnings.js';
