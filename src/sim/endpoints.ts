/**
 * The simulated SageMaker endpoints: each endpoint's production variants or inference components,
 * each with its own ServingModel, and how a request finds the one that serves it — as SageMaker
 * routes: the component named by X-Amzn-SageMaker-Inference-Component (required on an endpoint of
 * components, refused on one of variants), else the variant named by X-Amzn-SageMaker-Target-Variant,
 * else a variant drawn by weight (seeded).
 */
import type { Clock } from '../lib/clock.js';
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import type { ModelConfig, PayloadFormat, SimConfig } from './config.js';
import { ServingModel } from './model.js';
import {
  componentHeaderNotAllowed,
  componentHeaderRequired,
  componentNotFound,
  endpointNotFound,
  variantNotFound,
  type RuntimeError,
} from './runtime-errors.js';

/** The endpoint served when the config names none. */
export const DEFAULT_ENDPOINT = 'sim-endpoint';
/** The variant name SageMaker's own tooling gives a single-variant endpoint, and the variant hosting components. */
export const DEFAULT_VARIANT = 'AllTraffic';

/** What serves a request: a variant, or a component (on its endpoint's AllTraffic variant). */
export interface SimTarget {
  endpoint: string;
  variant: string;
  component?: string;
  payload: PayloadFormat;
  model: ServingModel;
}

export interface TargetCounts {
  endpoint: string;
  variant: string;
  component?: string;
  /** Requests routed to this target (whatever happened to them next). */
  invocations: number;
}

interface Endpoint {
  variants: Array<{ target: SimTarget; weight: number }>;
  components: Map<string, SimTarget>;
}

export type Resolution = { ok: true; target: SimTarget } | { ok: false; error: RuntimeError };

export class EndpointRegistry {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly invocations = new Map<SimTarget, number>();
  private readonly ownModels: ServingModel[] = [];
  private readonly variantRng: Rng;

  /** `defaultModel` serves the default endpoint when the config names none. */
  constructor(
    private readonly config: SimConfig,
    clock: Clock,
    defaultModel: ServingModel,
  ) {
    this.variantRng = createRng(deriveSeed(config.seed, 'sim.endpoints.variant'));
    const modelFor = (endpoint: string, name: string, model: ModelConfig): ServingModel => {
      const serving = new ServingModel(model, clock, deriveSeed(config.seed, `sim.endpoints.${endpoint}.${name}`));
      this.ownModels.push(serving);
      return serving;
    };
    if (config.endpoints.length === 0) {
      const target: SimTarget = { endpoint: DEFAULT_ENDPOINT, variant: DEFAULT_VARIANT, payload: 'tgi', model: defaultModel };
      this.endpoints.set(DEFAULT_ENDPOINT, { variants: [{ target, weight: 1 }], components: new Map() });
    }
    for (const e of config.endpoints) {
      this.endpoints.set(e.name, {
        variants: e.variants.map((v) => ({
          target: { endpoint: e.name, variant: v.name, payload: v.payload, model: modelFor(e.name, v.name, v.model) },
          weight: v.weight,
        })),
        components: new Map(
          e.inferenceComponents.map((c) => [
            c.name,
            { endpoint: e.name, variant: DEFAULT_VARIANT, component: c.name, payload: c.payload, model: modelFor(e.name, c.name, c.model) },
          ]),
        ),
      });
    }
  }

  /** The target for a request to `endpointName` with these routing headers, or the error SageMaker answers. */
  resolve(endpointName: string, headers: { targetVariant?: string; component?: string }): Resolution {
    const endpoint = this.endpoints.get(endpointName);
    if (endpoint === undefined) return { ok: false, error: endpointNotFound(endpointName, this.config.sagemaker) };
    const target = this.pick(endpointName, endpoint, headers);
    if ('error' in target) return { ok: false, error: target.error };
    this.invocations.set(target, (this.invocations.get(target) ?? 0) + 1);
    return { ok: true, target };
  }

  /** Requests routed to each target, in config order. */
  counts(): TargetCounts[] {
    return this.targets().map((t) => ({
      endpoint: t.endpoint,
      variant: t.variant,
      ...(t.component !== undefined && { component: t.component }),
      invocations: this.invocations.get(t) ?? 0,
    }));
  }

  /** Every variant and component, in config order. */
  targets(): SimTarget[] {
    return [...this.endpoints.values()].flatMap((e) => [...e.variants.map((v) => v.target), ...e.components.values()]);
  }

  /** Closes the models this registry made (not the default model). */
  close(): void {
    for (const model of this.ownModels) model.close();
  }

  private pick(name: string, endpoint: Endpoint, headers: { targetVariant?: string; component?: string }): SimTarget | { error: RuntimeError } {
    if (endpoint.components.size > 0) {
      if (headers.component === undefined) return { error: componentHeaderRequired() };
      return endpoint.components.get(headers.component) ?? { error: componentNotFound(headers.component, name, this.config.sagemaker) };
    }
    if (headers.component !== undefined) return { error: componentHeaderNotAllowed() };
    if (headers.targetVariant !== undefined) {
      return endpoint.variants.find((v) => v.target.variant === headers.targetVariant)?.target ?? { error: variantNotFound(headers.targetVariant, name) };
    }
    return this.byWeight(endpoint.variants);
  }

  /** A variant drawn with probability weight / total weight; one draw per request, even with one variant. */
  private byWeight(variants: Endpoint['variants']): SimTarget {
    const total = variants.reduce((sum, v) => sum + v.weight, 0);
    let point = this.variantRng.next() * total;
    for (const v of variants) {
      point -= v.weight;
      if (point < 0) return v.target;
    }
    return variants.at(-1)!.target;
  }
}
