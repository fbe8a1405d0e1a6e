/**
 * Publishes what the serving models did into the control plane's metric store, as SageMaker
 * publishes to CloudWatch (namespace AWS/SageMaker; shared/FACTS.md "Metrics"):
 *
 * every 10 s (high resolution, StorageResolution 1), for the period that just closed:
 * - ConcurrentRequestsPerModel (EndpointName, VariantName) for variants, ConcurrentRequestsPerCopy
 *   (InferenceComponentName) for components: one sample per copy (model container), Maximum and
 *   Minimum its outstanding requests (queued included, from arrival to the last token) over the
 *   period; Sum and SampleCount over copies (Average = the mean per-copy maximum).
 *
 * every 60 s (standard resolution), for the minute that just closed:
 * - Invocations; InvocationsPerInstance (variants: each request adds 1 / instances in service at
 *   its arrival) or InvocationsPerCopy (components: 1 / copies in service);
 * - Invocation4XXErrors, Invocation5XXErrors, InvocationModelErrors (a full container queue answers
 *   ModelError 424: a model error and a 4XX; injected faults by their status);
 * - ModelLatency (arrival to the last token, queueing in the container included) and
 *   OverheadLatency (0: the simulator adds no SageMaker overhead), microseconds, as value
 *   distributions so percentiles work;
 * - NoCapacityInvocationFailures (components);
 * - GPUUtilization in /aws/sagemaker/Endpoints (variants: occupied batch slots / all slots × 100,
 *   sampled every 10 s and averaged over the minute) [inferred proxy: batch occupancy, not SM busy].
 *
 * Zeros are published too (no request is a datapoint of 0), so alarms see data while idle.
 * Event-driven: one clock timer per 10 s boundary for everything, none per request. Datapoints are
 * stamped with the period's start; the store delivers them after its lag.
 */
import type { Clock } from '../lib/clock.js';
import type { MetricDatum, MetricStore } from './cloud/metric-store.js';
import type { Dimension } from './cloud/types.js';
import type { SimTarget } from './endpoints.js';
import type { RequestTiming } from './model.js';

const NAMESPACE = 'AWS/SageMaker';
const ENDPOINTS_NAMESPACE = '/aws/sagemaker/Endpoints';
const HIGH_RES_MS = 10_000;
const MINUTE_MS = 60_000;

/** Per-minute counters of one target. */
interface Meter {
  target: SimTarget;
  invocations: number;
  /** Σ 1 / units in service at each arrival. */
  perUnit: number;
  errors4xx: number;
  errors5xx: number;
  modelErrors: number;
  noCapacity: number;
  /** Latency (µs, 3 significant digits) → count. */
  modelLatencyUs: Map<number, number>;
  requestsDone: number;
  /** GPU utilization samples (percent per instance) this minute. */
  utilizationSum: number;
  utilizationSamples: number;
}

export interface MetricsPublisherOptions {
  /** The control plane's clock: datapoints are stamped in its time. */
  clock: Clock;
  store: MetricStore;
  targets: readonly SimTarget[];
}

/** Keeps 3 significant digits: bounded distinct values per minute. */
function roundSig(v: number): number {
  if (v <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(v)) - 2);
  return Math.round(v / scale) * scale;
}

export class MetricsPublisher {
  private readonly meters: Meter[];
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly options: MetricsPublisherOptions) {
    this.meters = options.targets.map((target) => {
      const meter: Meter = {
        target,
        invocations: 0,
        perUnit: 0,
        errors4xx: 0,
        errors5xx: 0,
        modelErrors: 0,
        noCapacity: 0,
        modelLatencyUs: new Map(),
        requestsDone: 0,
        utilizationSum: 0,
        utilizationSamples: 0,
      };
      target.model.setObserver({
        onArrival: () => {
          meter.invocations++;
          const units = target.capacity.inService();
          if (units > 0) meter.perUnit += 1 / units;
        },
        onFinished: (t) => this.finished(meter, t),
      });
      return meter;
    });
    this.schedule(options.clock.nowMs());
  }

  /** Counts an error answered before the model saw the request (an injected fault), by HTTP status. */
  recordError(target: SimTarget, status: number, modelError: boolean): void {
    const meter = this.meters.find((m) => m.target === target);
    if (meter === undefined) return;
    meter.invocations++;
    if (status >= 500) meter.errors5xx++;
    else if (status >= 400) meter.errors4xx++;
    if (modelError) meter.modelErrors++;
  }

  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const m of this.meters) m.target.model.setObserver(undefined);
  }

  private finished(meter: Meter, t: RequestTiming): void {
    if (t.outcome === 'ok') {
      const us = roundSig((t.endMs - t.arrivalMs) * 1000);
      meter.modelLatencyUs.set(us, (meter.modelLatencyUs.get(us) ?? 0) + 1);
      meter.requestsDone++;
    } else if (t.outcome === 'rejected' && t.rejectReason === 'no_capacity') {
      meter.noCapacity++;
    } else if (t.outcome === 'rejected' && t.rejectReason === 'queue_full') {
      meter.errors4xx++;
      meter.modelErrors++;
    }
  }

  private schedule(afterMs: number): void {
    const atMs = Math.floor(afterMs / HIGH_RES_MS) * HIGH_RES_MS + HIGH_RES_MS;
    this.cancelTimer = this.options.clock.setTimer(atMs, () => {
      this.publishHighResolution(atMs);
      if (atMs % MINUTE_MS === 0) this.publishMinute(atMs);
      this.schedule(atMs);
    });
  }

  private put(datum: MetricDatum): void {
    this.options.store.put(datum);
  }

  private publishHighResolution(atMs: number): void {
    const timestampMs = atMs - HIGH_RES_MS;
    for (const meter of this.meters) {
      const { target } = meter;
      const windows = target.model.takeConcurrency();
      const isComponent = target.component !== undefined;
      if (!isComponent) this.sampleUtilization(meter);
      if (windows.length === 0) continue;
      this.put({
        metric: {
          namespace: NAMESPACE,
          metricName: isComponent ? 'ConcurrentRequestsPerCopy' : 'ConcurrentRequestsPerModel',
          dimensions: dimensionsOf(target),
        },
        timestampMs,
        statistics: {
          SampleCount: windows.length,
          Sum: windows.reduce((s, w) => s + w.max, 0),
          Minimum: Math.min(...windows.map((w) => w.min)),
          Maximum: Math.max(...windows.map((w) => w.max)),
        },
        unit: 'None',
        storageResolution: 1,
      });
    }
  }

  private sampleUtilization(meter: Meter): void {
    const stats = meter.target.model.stats();
    const slots = meter.target.model.config.batchSlots;
    if (stats.copies.length === 0) return;
    // The mean occupancy of the copies' batch slots, as a percent of one GPU per instance.
    meter.utilizationSum += (stats.active / (stats.copies.length * slots)) * 100;
    meter.utilizationSamples++;
  }

  private publishMinute(atMs: number): void {
    const timestampMs = atMs - MINUTE_MS;
    for (const meter of this.meters) {
      const { target } = meter;
      const dimensions = dimensionsOf(target);
      const isComponent = target.component !== undefined;
      const sum = (metricName: string, value: number, unit = 'None'): void =>
        this.put({ metric: { namespace: NAMESPACE, metricName, dimensions }, timestampMs, value, unit });
      sum('Invocations', meter.invocations);
      sum(isComponent ? 'InvocationsPerCopy' : 'InvocationsPerInstance', meter.perUnit);
      sum('Invocation4XXErrors', meter.errors4xx);
      sum('Invocation5XXErrors', meter.errors5xx);
      sum('InvocationModelErrors', meter.modelErrors);
      if (isComponent) sum('NoCapacityInvocationFailures', meter.noCapacity);
      if (meter.modelLatencyUs.size > 0) {
        this.put({
          metric: { namespace: NAMESPACE, metricName: 'ModelLatency', dimensions },
          timestampMs,
          values: [...meter.modelLatencyUs.keys()],
          counts: [...meter.modelLatencyUs.values()],
          unit: 'Microseconds',
        });
        this.put({
          metric: { namespace: NAMESPACE, metricName: 'OverheadLatency', dimensions },
          timestampMs,
          values: [0],
          counts: [meter.requestsDone],
          unit: 'Microseconds',
        });
      }
      if (meter.utilizationSamples > 0) {
        this.put({
          metric: { namespace: ENDPOINTS_NAMESPACE, metricName: 'GPUUtilization', dimensions },
          timestampMs,
          value: meter.utilizationSum / meter.utilizationSamples,
          unit: 'Percent',
        });
      }
      Object.assign(meter, { invocations: 0, perUnit: 0, errors4xx: 0, errors5xx: 0, modelErrors: 0, noCapacity: 0, requestsDone: 0, utilizationSum: 0, utilizationSamples: 0 });
      meter.modelLatencyUs = new Map();
    }
  }
}

/** A target's CloudWatch dimensions: EndpointName + VariantName, or InferenceComponentName. */
export function dimensionsOf(target: SimTarget): Dimension[] {
  return target.component !== undefined
    ? [{ Name: 'InferenceComponentName', Value: target.component }]
    : [
        { Name: 'EndpointName', Value: target.endpoint },
        { Name: 'VariantName', Value: target.variant },
      ];
}
