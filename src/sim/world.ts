/**
 * The simulated world, built once from a config and a Clock, shared by the HTTP server
 * (server.ts) and virtual time (`scalelab simulate`): the serving models behind their endpoints,
 * the capacity model, the control plane (metric store, alarms, Application Auto Scaling) with the
 * config's scalable targets and policies registered, the metrics publisher between them, and an
 * in-process backend for the sim invoker.
 *
 * Time: the serving models run on `clock`. The control plane, the publisher and provisioning run
 * on `controlClock`: `clock` itself, or with `timeScale` F ≠ 1 a ScaledClock F times faster, so
 * every control-plane duration (metric periods, lags, alarm windows, cooldowns, provisioning
 * phases) passes F times faster on the wall while the models keep real time.
 */
import type { Clock } from '../lib/clock.js';
import { applyAutoscalingConfig } from './autoscaling-setup.js';
import { ControlPlane } from './cloud/control-plane.js';
import { ScaledClock } from './cloud/scaled-clock.js';
import { MapResourceRegistry } from './cloud/types.js';
import type { SimConfig } from './config.js';
import { EndpointRegistry, type SimTarget } from './endpoints.js';
import { MetricsPublisher } from './metrics-publisher.js';
import { ServingModel, type ModelHandle, type ModelListener, type ModelRequest } from './model.js';

/** A request for the in-process backend; without names it goes to the first endpoint (its first component, or a variant by weight). */
export interface WorldRequest extends ModelRequest {
  endpoint?: string;
  variant?: string;
  component?: string;
}

export interface SimWorldBackend {
  /** @throws Error when the names match no endpoint, variant or component. */
  submit(request: WorldRequest, listener: ModelListener): ModelHandle;
}

export interface SimWorldOptions {
  /** Control-plane time runs this many times faster than `clock` (1: the same). */
  timeScale?: number;
}

export interface SimWorld {
  config: SimConfig;
  /** The serving models' clock. */
  clock: Clock;
  /** The control plane's (and provisioning's) clock: `clock`, or a ScaledClock. */
  controlClock: Clock;
  timeScale: number;
  /** The top-level model: the OpenAI/TGI routes, and the default endpoint when none is configured. */
  model: ServingModel;
  endpoints: EndpointRegistry;
  controlPlane: ControlPlane;
  resources: MapResourceRegistry;
  publisher: MetricsPublisher;
  backend: SimWorldBackend;
  close(): void;
}

export function createSimWorld(config: SimConfig, clock: Clock, options: SimWorldOptions = {}): SimWorld {
  const timeScale = options.timeScale ?? 1;
  const controlClock = timeScale === 1 ? clock : new ScaledClock(clock, { factor: timeScale });
  const model = new ServingModel(config.model, clock, config.seed);
  const endpoints = new EndpointRegistry(config, clock, model, controlClock);
  const targets = endpoints.targets();
  const resources = new MapResourceRegistry(targets.map((t) => t.capacity));
  const controlPlane = new ControlPlane({
    clock: controlClock,
    // One identity: ARNs and messages of every API name the account and region of `sagemaker:`.
    config: { ...config.controlPlane, accountId: config.sagemaker.accountId, region: config.sagemaker.region },
    resources,
  });
  const publisher = new MetricsPublisher({ clock: controlClock, store: controlPlane.store, targets });
  const close = (): void => {
    publisher.close();
    controlPlane.close();
    model.close();
    endpoints.close();
  };
  try {
    applyAutoscalingConfig(controlPlane, config.autoscaling);
  } catch (e: unknown) {
    close();
    throw e;
  }
  return {
    config,
    clock,
    controlClock,
    timeScale,
    model,
    endpoints,
    controlPlane,
    resources,
    publisher,
    backend: { submit: (request, listener) => resolveTarget(endpoints, request).model.submit(request, listener) },
    close,
  };
}

function resolveTarget(endpoints: EndpointRegistry, request: WorldRequest): SimTarget {
  const endpoint = request.endpoint !== undefined ? endpoints.endpoint(request.endpoint) : endpoints.list()[0];
  if (endpoint === undefined) throw new Error(`no simulated endpoint ${request.endpoint ?? '(none configured)'}`);
  const component = request.component ?? (endpoint.components.size > 0 ? [...endpoint.components.keys()][0] : undefined);
  const resolution = endpoints.resolve(endpoint.name, {
    ...(request.variant !== undefined && { targetVariant: request.variant }),
    ...(component !== undefined && { component }),
  });
  if (!resolution.ok) throw new Error(resolution.error.message);
  return resolution.target;
}
