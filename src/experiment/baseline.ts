/**
 * Bringing the resource to the experiment's starting point before each variant's run: wait until
 * its current capacity is back at the variant's minimum, or set a desired capacity
 * (UpdateEndpointWeightsAndCapacities / UpdateInferenceComponentRuntimeConfig) and wait until it is
 * in service. Capacity is read with DescribeEndpoint / DescribeInferenceComponent.
 */
import { readCapacity } from '../cloud/capacity-sampler.js';
import { resourceOf } from '../cloud/resource.js';
import type { CloudResource } from '../cloud/types.js';
import { UserError } from '../lib/errors.js';
import type { Experiment } from './load.js';
import { baselineCall, type ScalingResource } from './plan.js';
import { send, type ScalingClients, type SentCall } from './scaling-api.js';
import type { VariantSpec } from './schema.js';

/** Time as the experiment sees it: control-plane time (virtual, or the simulator's scaled clock, or the wall). */
export interface ExperimentTime {
  /** Control-plane now, epoch ms. */
  nowMs(): number;
  /** Lets `ms` of control-plane time pass. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface BaselineRecord {
  kind: 'waitForMin' | 'setDesired';
  capacity: number;
  sent?: SentCall;
  waitedS: number;
}

const POLL_MS = 10_000;

export function cloudResourceOf(r: ScalingResource): CloudResource {
  return r.inferenceComponentName !== undefined
    ? resourceOf({ endpointName: r.endpointName, inferenceComponentName: r.inferenceComponentName })
    : resourceOf({ endpointName: r.endpointName, variantName: r.variantName ?? 'AllTraffic' });
}

export async function reachBaseline(
  clients: ScalingClients,
  resource: ScalingResource,
  experiment: Pick<Experiment, 'baseline'>,
  variant: VariantSpec,
  time: ExperimentTime,
  signal?: AbortSignal,
): Promise<BaselineRecord> {
  const b = experiment.baseline;
  const startMs = time.nowMs();
  const call = baselineCall(experiment, resource);
  const sent = call && (await send(clients, call));
  const capacity = 'setDesired' in b ? b.setDesired : variant.minCapacity;
  const timeoutS = 'setDesired' in b ? b.timeoutS : b.waitForMin.timeoutS;
  const cloudResource = cloudResourceOf(resource);
  for (;;) {
    signal?.throwIfAborted();
    const now = await readCapacity(clients.sagemaker, cloudResource, signal);
    if (now.current === capacity && now.desired === capacity) break;
    if (time.nowMs() - startMs >= timeoutS * 1000) {
      throw new UserError(
        'baseline_timeout',
        `baseline: ${resource.ids.ResourceId} did not reach ${capacity} in service within ${timeoutS} s (desired ${now.desired}, current ${now.current}); raise baseline timeoutS or use baseline: { setDesired: N }`,
      );
    }
    await time.sleep(POLL_MS, signal);
  }
  return { kind: 'setDesired' in b ? 'setDesired' : 'waitForMin', capacity, ...(sent && { sent }), waitedS: (time.nowMs() - startMs) / 1000 };
}
