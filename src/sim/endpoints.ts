/**
 * The simulated SageMaker endpoints: each endpoint's production variants or inference components,
 * each with its own ServingModel, and how a request finds the one that serves it — as SageMaker
 * routes: the component named by X-Amzn-SageMaker-Inference-Component (required on an endpoint of
 * components, refused on one of variants), else the variant named by X-Amzn-SageMaker-Target-Variant,
 * else a variant drawn by weight (seeded).
 *
 * Each variant has its instances (VariantCapacity), each component its copies (ComponentCapacity)
 * on its endpoint's shared instances (InstancePool); see capacity.ts.
 */
import type { Clock } from '../lib/clock.js';
import { UserError } from '../lib/errors.js';
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import { instanceGpus } from './capacity-config.js';
import { ComponentCapacity, InstancePool, VariantCapacity } from './capacity.js';
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
  /** Its instances (a variant) or copies (a component): what autoscaling scales. */
  capacity: VariantCapacity | ComponentCapacity;
}

export interface TargetCounts {
  endpoint: string;
  variant: string;
  component?: string;
  /** Requests routed to this target (whatever happened to them next). */
  invocations: number;
}

/** One endpoint: its variants (with weights), or its components and their shared instances. */
export interface SimEndpoint {
  name: string;
  createdMs: number;
  variants: Array<{ target: SimTarget; weight: number }>;
  components: Map<string, SimTarget>;
  /** Endpoints of components only. */
  pool?: InstancePool;
}
type Endpoint = SimEndpoint;

export type Resolution = { ok: true; target: SimTarget } | { ok: false; error: RuntimeError };

export class EndpointRegistry {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly invocations = new Map<SimTarget, number>();
  private readonly ownModels: ServingModel[] = [];
  private readonly variantRng: Rng;

  /**
   * `defaultModel` serves the default endpoint when the config names none (one instance running
   * its copies). The models run on `clock`; provisioning runs on `capacityClock` (the control
   * plane's, which a time scale speeds up).
   */
  constructor(
    private readonly config: SimConfig,
    clock: Clock,
    defaultModel: ServingModel,
    capacityClock: Clock = clock,
  ) {
    this.variantRng = createRng(deriveSeed(config.seed, 'sim.endpoints.variant'));
    const { capacity } = config;
    const phases = capacity.phases;
    const modelFor = (endpoint: string, name: string, model: ModelConfig, copies: number): ServingModel => {
      const serving = new ServingModel({ ...model, copies }, clock, deriveSeed(config.seed, `sim.endpoints.${endpoint}.${name}`));
      this.ownModels.push(serving);
      return serving;
    };
    const gpusOf = (instanceType: string, field: string): number => {
      const gpus = instanceGpus(capacity, instanceType);
      if (gpus === undefined) {
        throw new UserError('sim_config_invalid', `${field}: unknown instance type '${instanceType}'; add it under capacity.instanceTypes with its gpus`);
      }
      return gpus;
    };
    const variantTarget = (endpoint: string, v: { name: string; payload: PayloadFormat; instanceType?: string | undefined; initialInstanceCount: number }, model: ServingModel, copiesPerInstance: number, field: string): SimTarget => {
      const instanceType = v.instanceType ?? capacity.defaultInstanceType;
      gpusOf(instanceType, `${field}.instanceType`);
      const target = { endpoint, variant: v.name, payload: v.payload, model };
      const resource = new VariantCapacity({
        endpoint,
        variant: v.name,
        instanceType,
        copiesPerInstance,
        initialInstanceCount: v.initialInstanceCount,
        model,
        clock: capacityClock,
        phases,
      });
      return { ...target, capacity: resource };
    };
    if (config.endpoints.length === 0) {
      const target = variantTarget(DEFAULT_ENDPOINT, { name: DEFAULT_VARIANT, payload: 'tgi', initialInstanceCount: 1 }, defaultModel, config.model.copies, 'model');
      this.endpoints.set(DEFAULT_ENDPOINT, { name: DEFAULT_ENDPOINT, createdMs: capacityClock.nowMs(), variants: [{ target, weight: 1 }], components: new Map() });
    }
    for (const [ei, e] of config.endpoints.entries()) {
      const endpoint: Endpoint = { name: e.name, createdMs: capacityClock.nowMs(), variants: [], components: new Map() };
      for (const [vi, v] of e.variants.entries()) {
        const model = modelFor(e.name, v.name, v.model, v.initialInstanceCount * v.model.copies);
        endpoint.variants.push({ target: variantTarget(e.name, v, model, v.model.copies, `endpoints.${ei}.variants.${vi}`), weight: v.weight });
      }
      if (e.inferenceComponents.length > 0) {
        const instanceType = e.instanceType ?? capacity.defaultInstanceType;
        const gpusPerInstance = gpusOf(instanceType, `endpoints.${ei}.instanceType`);
        const copyCount = (c: (typeof e.inferenceComponents)[number]): number => c.copyCount ?? c.model.copies;
        const neededGpus = e.inferenceComponents.reduce((sum, c) => sum + copyCount(c) * c.acceleratorsPerCopy, 0);
        const { minInstanceCount, maxInstanceCount } = e.managedInstanceScaling;
        const initialInstanceCount = e.initialInstanceCount ?? Math.max(minInstanceCount, Math.ceil(neededGpus / gpusPerInstance));
        const pool = new InstancePool({
          endpoint: e.name,
          instanceType,
          gpusPerInstance,
          minInstanceCount,
          maxInstanceCount: Math.max(maxInstanceCount, initialInstanceCount),
          initialInstanceCount,
          clock: capacityClock,
          phases,
        });
        endpoint.pool = pool;
        for (const c of e.inferenceComponents) {
          const model = modelFor(e.name, c.name, c.model, 0);
          const resource = new ComponentCapacity({
            endpoint: e.name,
            component: c.name,
            acceleratorsPerCopy: c.acceleratorsPerCopy,
            initialCopyCount: copyCount(c),
            model,
            pool,
            clock: capacityClock,
            phases,
          });
          endpoint.components.set(c.name, { endpoint: e.name, variant: DEFAULT_VARIANT, component: c.name, payload: c.payload, model, capacity: resource });
        }
      }
      this.endpoints.set(e.name, endpoint);
    }
  }

  /** The endpoint named `name`, if any. */
  endpoint(name: string): SimEndpoint | undefined {
    return this.endpoints.get(name);
  }

  /** Every endpoint, in config order. */
  list(): SimEndpoint[] {
    return [...this.endpoints.values()];
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
