/**
 * Capacity during the run, polled from the SageMaker control plane: CloudWatch has no metric of
 * copy count, and instance counts there are minute-coarse. DescribeEndpoint gives a variant's
 * `CurrentInstanceCount` / `DesiredInstanceCount`, DescribeInferenceComponent a component's
 * `RuntimeConfig.CurrentCopyCount` / `DesiredCopyCount`.
 *
 * One call at a time, every `intervalMs` on the Clock (a slow call delays the next, never piles
 * up). A sample is stamped at the midpoint of the call's local send and receive instants. A failed
 * call is a warning, not the end of sampling.
 */
import { DescribeEndpointCommand, DescribeInferenceComponentCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { Clock } from '../lib/clock.js';
import type { CloudClients } from './clients.js';
import type { CapacitySample, CloudResource } from './types.js';
import { READS, readWarning } from './warnings.js';

export const DEFAULT_CAPACITY_INTERVAL_MS = 5_000;

export interface CapacitySamplerOptions {
  clients: Pick<CloudClients, 'sagemaker'>;
  resource: CloudResource;
  clock: Clock;
  /** Default {@link DEFAULT_CAPACITY_INTERVAL_MS}. */
  intervalMs?: number;
  /** Hears each sample as it is taken (a live progress line, a test waiting in virtual time). */
  onSample?: (sample: CapacitySample) => void;
}

export interface CapacitySampler {
  /** Stops polling (an in-flight call is abandoned) and resolves the samples, oldest first. */
  stop(): Promise<CapacitySample[]>;
  /** One line per distinct failure, with how many polls it hit. */
  readonly warnings: string[];
}

/** Desired and current capacity of the resource now. */
export async function readCapacity(sagemaker: SageMakerClient, resource: CloudResource, signal?: AbortSignal): Promise<{ desired: number; current: number }> {
  const options = signal === undefined ? {} : { abortSignal: signal };
  if (resource.kind === 'inference-component') {
    const out = await sagemaker.send(new DescribeInferenceComponentCommand({ InferenceComponentName: resource.inferenceComponentName }), options);
    const rc = out.RuntimeConfig;
    if (rc?.DesiredCopyCount === undefined || rc.CurrentCopyCount === undefined) throw new Error(`inference component ${resource.inferenceComponentName ?? ''} reports no copy counts`);
    return { desired: rc.DesiredCopyCount, current: rc.CurrentCopyCount };
  }
  const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: resource.endpointName }), options);
  const v = out.ProductionVariants?.find((p) => p.VariantName === resource.variantName);
  if (v?.DesiredInstanceCount === undefined || v.CurrentInstanceCount === undefined) {
    throw new Error(`endpoint ${resource.endpointName} reports no instance counts for variant ${resource.variantName ?? ''}`);
  }
  return { desired: v.DesiredInstanceCount, current: v.CurrentInstanceCount };
}

export function startCapacitySampler(options: CapacitySamplerOptions): CapacitySampler {
  const { clients, resource, clock } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_CAPACITY_INTERVAL_MS;
  if (!(intervalMs > 0)) throw new RangeError(`capacity sampling interval must be positive, got ${intervalMs}`);
  const read = resource.kind === 'inference-component' ? READS.describeInferenceComponent : READS.describeEndpoint;
  const samples: CapacitySample[] = [];
  const failures = new Map<string, number>();
  const controller = new AbortController();
  const { signal } = controller;

  const sampleOnce = async (): Promise<void> => {
    const sentMs = clock.nowMs();
    try {
      const { desired, current } = await readCapacity(clients.sagemaker, resource, signal);
      const sample = { tMs: (sentMs + clock.nowMs()) / 2, desired, current };
      samples.push(sample);
      options.onSample?.(sample);
    } catch (e: unknown) {
      if (signal.aborted) return;
      const warning = readWarning(read, e);
      failures.set(warning, (failures.get(warning) ?? 0) + 1);
    }
  };

  const loop = (async (): Promise<void> => {
    for (let nextMs = clock.nowMs(); !signal.aborted; ) {
      await sampleOnce();
      nextMs = Math.max(nextMs + intervalMs, clock.nowMs());
      try {
        await clock.sleepUntil(nextMs, signal);
      } catch {
        return;
      }
    }
  })();

  return {
    stop: async () => {
      controller.abort();
      await loop;
      return samples;
    },
    get warnings() {
      return [...failures].map(([w, n]) => (n === 1 ? w : `${w} (${n} polls)`));
    },
  };
}
