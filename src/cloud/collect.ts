/**
 * After a run (or later, `scalelab collect`): wait for metric delivery, then read everything the
 * cloud did in the run's window into one CloudData (cloud.json).
 *
 * Each source is read on its own: a failure of one (a denied permission, a throttle that outlasted
 * the retries) becomes a warning (warnings.ts) and the others are still read. Reads run one after
 * another, so the warnings come in a fixed order.
 *
 * Times: AWS stamps metric points, activities and alarm history with its clock. Against AWS they
 * are moved to this machine's by the offset estimated from the responses' `Date` headers
 * (correlate/clock-offset.ts; the capacity sampler's calls add samples when its clients are
 * passed in). The simulator stamps with the runner's own clock (and its `Date` header is the wall
 * clock, unrelated to virtual time), so by default nothing is shifted there. Query windows are
 * not shifted: they are widened to whole periods anyway, and an activity or transition is kept
 * within a margin of the window.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shiftCloudTimes } from '../correlate/clock-offset.js';
import type { Clock } from '../lib/clock.js';
import { basicAlarmInfo, readAlarmTransitions, readAlarms } from './alarms.js';
import { createCloudClients, type CloudClients, type CloudClientsConfig } from './clients.js';
import { fetchMetricSeries, metricQueriesFor } from './metrics.js';
import { DEFAULT_VARIANT, resolveResource, resourceOf, type CloudTarget } from './resource.js';
import { readScalingActivities, readScalingPolicies } from './scaling.js';
import type { CapacitySample, CloudData } from './types.js';
import { READS, Warnings, readWarning } from './warnings.js';

/** Standard-resolution metrics land 60 s + up to 60 s after their minute closes (shared/FACTS.md, sim/cloud/README.md). */
export const DEFAULT_SETTLE_MS = 120_000;
/** Activities and alarm transitions this far outside the window are still read: a scale-in decided just after the run belongs to it. */
export const DEFAULT_MARGIN_MS = 600_000;

export const CLOUD_FILE = 'cloud.json';

export interface CollectOptions {
  clientsConfig: CloudClientsConfig;
  /** Clients to use instead of making new ones (not destroyed here), e.g. the capacity sampler's: their Date samples count. */
  clients?: CloudClients;
  target: CloudTarget;
  /** The run's window, epoch ms on this machine's clock. */
  window: { startMs: number; endMs: number };
  /** From the capacity sampler; stamped locally, never shifted. */
  capacitySamples?: CapacitySample[];
  /** Warnings gathered before (the capacity sampler's), listed first. */
  warnings?: readonly string[];
  /** Waits until `window.endMs + settleMs` on the clock before reading; default {@link DEFAULT_SETTLE_MS}. */
  settleMs?: number;
  clock: Clock;
  source: 'aws' | 'simulator';
  /** Default {@link DEFAULT_MARGIN_MS}. */
  marginMs?: number;
  /** Page size of every listing (tests); default each API's. */
  pageSize?: number;
  /**
   * 'estimate' (default against AWS): from the clients' Date samples; 'none' (default against the
   * simulator): times as returned; a number: this offset (AWS minus local, ms).
   */
  clockOffset?: 'estimate' | 'none' | number;
  signal?: AbortSignal;
}

export async function collectCloudData(options: CollectOptions): Promise<CloudData> {
  const { clock, window, target, source } = options;
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const list = options.pageSize === undefined ? {} : { pageSize: options.pageSize };
  await clock.sleepUntil(window.endMs + (options.settleMs ?? DEFAULT_SETTLE_MS), options.signal);

  const clients = options.clients ?? createCloudClients(options.clientsConfig, clock);
  try {
    const warnings = new Warnings();
    for (const w of options.warnings ?? []) warnings.add(w);

    const resource =
      target.inferenceComponentName !== undefined || target.variantName !== undefined
        ? await resolveResource(clients.sagemaker, target)
        : await warnings.read(READS.describeEndpointForVariant, resourceOf({ ...target, variantName: DEFAULT_VARIANT }), () => resolveResource(clients.sagemaker, target));

    const fetched = await fetchMetricSeries(clients.cloudwatch, metricQueriesFor(resource), window, {
      nowMs: clock.nowMs(),
      ...list,
      ...(options.signal && { signal: options.signal }),
    });
    if (fetched.error !== undefined) warnings.add(readWarning(READS.getMetricData, fetched.error));

    const activities = await warnings.read(READS.describeScalingActivities, [], () => readScalingActivities(clients.autoscaling, resource, window, marginMs, list));
    const { policies, alarms: refs } = await warnings.read(READS.describeScalingPolicies, { policies: [], alarms: [] }, () =>
      readScalingPolicies(clients.autoscaling, resource, list),
    );
    const alarms = refs.length === 0 ? [] : await warnings.read(READS.describeAlarms, refs.map(basicAlarmInfo), () => readAlarms(clients.cloudwatch, refs, list));
    const alarmTransitions =
      refs.length === 0
        ? []
        : await warnings.read(READS.describeAlarmHistory, [], () =>
            readAlarmTransitions(
              clients.cloudwatch,
              refs.map((r) => r.name),
              window,
              marginMs,
              list,
            ),
          );

    const data: CloudData = {
      source,
      region: clients.region,
      resource,
      window: { ...window },
      fetchedAtMs: clock.nowMs(),
      policies,
      alarms,
      alarmTransitions,
      activities,
      capacity: [...(options.capacitySamples ?? [])],
      metrics: fetched.series,
      warnings: [],
    };
    const offsetMs = clockOffsetMs(options.clockOffset ?? (source === 'aws' ? 'estimate' : 'none'), clients, warnings);
    const shifted = offsetMs === undefined ? data : shiftCloudTimes(data, offsetMs);
    return { ...shifted, warnings: warnings.list() };
  } finally {
    if (options.clients === undefined) clients.destroy();
  }
}

function clockOffsetMs(mode: 'estimate' | 'none' | number, clients: CloudClients, warnings: Warnings): number | undefined {
  if (typeof mode === 'number') return mode;
  if (mode === 'none') return undefined;
  const estimate = clients.clockOffset();
  if (estimate === undefined) warnings.add('no response carried a Date header: AWS timestamps are not corrected for clock offset');
  else if (!estimate.consistent) warnings.add(`the Date headers disagree (a clock stepped?): clock offset ${Math.round(estimate.offsetMs)} ms ± ${Math.round(estimate.uncertaintyMs)} ms is a median`);
  return estimate?.offsetMs;
}

/** Writes cloud.json into the run directory (through a temporary file, so a reader never sees half of it); resolves its path. */
export async function writeCloudJson(runDir: string, data: CloudData): Promise<string> {
  const path = join(runDir, CLOUD_FILE);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}
