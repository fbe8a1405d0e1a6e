/**
 * The capacity model: what Application Auto Scaling scales, as {@link ScalableResource}s.
 *
 * - {@link VariantCapacity}: a production variant's instances (DesiredInstanceCount). Each instance
 *   runs `copiesPerInstance` copies of the variant's ServingModel. A new instance goes through
 *   launch → image pull → model download → model load, then its copies take requests.
 * - {@link InstancePool} + {@link ComponentCapacity}: an inference-component endpoint's instances,
 *   shared by its components, and one component's copies (DesiredCopyCount). A new copy goes to an
 *   instance in service with free GPUs (model load only), else to one still provisioning with room
 *   (it loads once the instance is up), else a new instance launches (up to the pool's maximum;
 *   beyond it the copy waits for room). An instance goes when its last copy does, down to the
 *   pool's minimum (0 for scale to zero).
 *
 * Scale-in drains: the copies being removed take no new requests and go when their last request
 * ends (ServingModel.drainCopy). Removal order: newest first, those not yet serving before those
 * serving.
 *
 * Current capacity counts what is in service or draining (a draining instance still runs, and is
 * still paid for), so a scale-out's activity ends when the new capacity serves and a scale-in's when
 * the drained capacity is gone. Every timer callback is synchronous.
 */
import type { Clock } from '../lib/clock.js';
import type { PhaseDurations } from './capacity-config.js';
import type { CapacityListener, ScalableDimension, ScalableResource } from './cloud/types.js';
import type { ServingModel } from './model.js';

/** Where an instance or a copy is in its life. */
export type ProvisioningPhase = 'Pending' | 'Launching' | 'PullingImage' | 'DownloadingModel' | 'LoadingModel' | 'InService' | 'Draining';

/** One change of desired or current capacity. */
export interface CapacitySample {
  tMs: number;
  desired: number;
  current: number;
}

export type ResourceStatus = 'InService' | 'Updating';

const INSTANCE_PHASES = ['Launching', 'PullingImage', 'DownloadingModel'] as const;

function phaseMs(phases: PhaseDurations, phase: ProvisioningPhase): number {
  switch (phase) {
    case 'Launching':
      return phases.launchS * 1000;
    case 'PullingImage':
      return phases.imagePullS * 1000;
    case 'DownloadingModel':
      return phases.modelDownloadS * 1000;
    case 'LoadingModel':
      return phases.modelLoadS * 1000;
    default:
      return 0;
  }
}

/**
 * Runs `phases` one after another on the clock (one timer pending at a time), telling `onPhase`
 * as each starts, then calls `done`. Returns a function that cancels what is left.
 */
function runPhases(clock: Clock, durations: PhaseDurations, phases: readonly ProvisioningPhase[], onPhase: (p: ProvisioningPhase) => void, done: () => void): () => void {
  let cancelTimer: (() => void) | undefined;
  let endMs = clock.nowMs();
  const step = (i: number): void => {
    const phase = phases[i];
    if (phase === undefined) {
      cancelTimer = undefined;
      done();
      return;
    }
    onPhase(phase);
    endMs += phaseMs(durations, phase);
    cancelTimer = clock.setTimer(endMs, () => step(i + 1));
  };
  step(0);
  return () => cancelTimer?.();
}

/** Capacity listeners and the sample history, shared by both kinds of resource. */
abstract class CapacityBase implements ScalableResource {
  abstract readonly resourceId: string;
  abstract readonly scalableDimension: ScalableDimension;
  protected desired: number;
  private readonly listeners = new Set<CapacityListener>();
  private readonly samples: CapacitySample[] = [];
  /** When desired or current capacity last changed (DescribeEndpoint's LastModifiedTime). */
  lastModifiedMs: number;
  readonly createdMs: number;

  constructor(
    protected readonly clock: Clock,
    initial: number,
  ) {
    this.desired = initial;
    this.createdMs = this.lastModifiedMs = clock.nowMs();
  }

  abstract currentCapacity(): number;
  /** Units (instances or copies) taking requests now. */
  abstract inService(): number;
  protected abstract reconcile(): void;
  /** Anything on its way in or out. */
  protected abstract transitioning(): boolean;

  desiredCapacity(): number {
    return this.desired;
  }

  setDesiredCapacity(n: number): void {
    this.checkDesired(n);
    this.desired = n;
    this.reconcile();
    this.changed();
  }

  onCapacityChange(listener: CapacityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ResourceStatus {
    return this.transitioning() || this.currentCapacity() !== this.desired ? 'Updating' : 'InService';
  }

  /** Every change of desired or current capacity, oldest first (the first sample is the start). */
  history(): CapacitySample[] {
    return [...this.samples];
  }

  protected abstract checkDesired(n: number): void;

  /** Records a sample and tells the listeners when current capacity moved. */
  protected changed(): void {
    const current = this.currentCapacity();
    const last = this.samples.at(-1);
    if (last !== undefined && last.current === current && last.desired === this.desired) return;
    this.lastModifiedMs = this.clock.nowMs();
    this.samples.push({ tMs: this.lastModifiedMs, desired: this.desired, current });
    if (last === undefined || last.current !== current) for (const l of [...this.listeners]) l(current);
  }
}

interface VariantInstance {
  id: number;
  phase: ProvisioningPhase;
  /** Model copy ids, once in service. */
  copies: number[];
  cancel: (() => void) | undefined;
}

export interface VariantCapacityOptions {
  endpoint: string;
  variant: string;
  instanceType: string;
  copiesPerInstance: number;
  /** Instances in service at start; the model must have been made with initial × copiesPerInstance copies. */
  initialInstanceCount: number;
  model: ServingModel;
  clock: Clock;
  phases: PhaseDurations;
}

/** A production variant's instances (sagemaker:variant:DesiredInstanceCount). */
export class VariantCapacity extends CapacityBase {
  readonly resourceId: string;
  readonly scalableDimension = 'sagemaker:variant:DesiredInstanceCount' as const;
  private instances: VariantInstance[] = [];
  private nextId = 0;

  constructor(readonly options: VariantCapacityOptions) {
    super(options.clock, options.initialInstanceCount);
    this.resourceId = `endpoint/${options.endpoint}/variant/${options.variant}`;
    const copyIds = options.model.servingCopies();
    for (let i = 0; i < options.initialInstanceCount; i++) {
      const copies = copyIds.slice(i * options.copiesPerInstance, (i + 1) * options.copiesPerInstance);
      this.instances.push({ id: this.nextId++, phase: 'InService', copies, cancel: undefined });
    }
    this.changed();
  }

  currentCapacity(): number {
    return this.instances.filter((i) => i.phase === 'InService' || i.phase === 'Draining').length;
  }

  inService(): number {
    return this.instances.filter((i) => i.phase === 'InService').length;
  }

  /** Each instance's phase, oldest first. */
  instancePhases(): ProvisioningPhase[] {
    return this.instances.map((i) => i.phase);
  }

  protected transitioning(): boolean {
    return this.instances.some((i) => i.phase !== 'InService');
  }

  protected checkDesired(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`The desired instance count of variant ${this.options.variant} must be an integer of at least 1, got ${n}.`);
  }

  protected reconcile(): void {
    const live = this.instances.filter((i) => i.phase !== 'Draining');
    for (let k = live.length; k < this.desired; k++) this.launch();
    const excess = live.length - this.desired;
    if (excess <= 0) return;
    const order = [...live.filter((i) => i.phase !== 'InService').reverse(), ...live.filter((i) => i.phase === 'InService').reverse()];
    for (const instance of order.slice(0, excess)) this.remove(instance);
  }

  private launch(): void {
    const instance: VariantInstance = { id: this.nextId++, phase: 'Pending', copies: [], cancel: undefined };
    this.instances.push(instance);
    instance.cancel = runPhases(
      this.clock,
      this.options.phases,
      [...INSTANCE_PHASES, 'LoadingModel'],
      (p) => (instance.phase = p),
      () => {
        instance.phase = 'InService';
        instance.cancel = undefined;
        for (let c = 0; c < this.options.copiesPerInstance; c++) instance.copies.push(this.options.model.addCopy());
        this.changed();
      },
    );
  }

  private remove(instance: VariantInstance): void {
    if (instance.phase !== 'InService') {
      instance.cancel?.();
      this.instances = this.instances.filter((i) => i !== instance);
      return;
    }
    instance.phase = 'Draining';
    let left = instance.copies.length;
    const gone = (): void => {
      this.instances = this.instances.filter((i) => i !== instance);
      this.changed();
    };
    if (left === 0) gone();
    for (const id of instance.copies) {
      this.options.model.drainCopy(id, () => {
        if (--left === 0) gone();
      });
    }
  }
}

interface PoolInstance {
  id: number;
  phase: ProvisioningPhase;
  freeGpus: number;
  /** Copies placed here (loading, serving or draining). */
  placed: number;
  cancel: (() => void) | undefined;
  readyWaiters: Set<() => void>;
}

export interface InstancePoolOptions {
  endpoint: string;
  instanceType: string;
  gpusPerInstance: number;
  minInstanceCount: number;
  maxInstanceCount: number;
  initialInstanceCount: number;
  clock: Clock;
  phases: PhaseDurations;
}

/** An inference-component endpoint's instances: launched for copies that find no room, gone with their last copy. */
export class InstancePool {
  private instances: PoolInstance[] = [];
  private nextId = 0;
  private readonly roomWaiters = new Set<() => void>();

  constructor(readonly options: InstancePoolOptions) {
    for (let i = 0; i < options.initialInstanceCount; i++) this.instances.push(this.newInstance('InService'));
  }

  /** Instances in service. */
  currentInstanceCount(): number {
    return this.instances.filter((i) => i.phase === 'InService').length;
  }

  /** Instances in service or on their way. */
  desiredInstanceCount(): number {
    return this.instances.length;
  }

  transitioning(): boolean {
    return this.instances.some((i) => i.phase !== 'InService');
  }

  /**
   * Room for `gpus`: on an instance in service (ready now), else one provisioning, else a new one;
   * undefined when every instance is full and the pool is at its maximum.
   */
  reserve(gpus: number): { instance: PoolInstance; ready: boolean } | undefined {
    const fits = (i: PoolInstance): boolean => i.freeGpus >= gpus;
    let instance = this.instances.find((i) => i.phase === 'InService' && fits(i)) ?? this.instances.find(fits);
    if (instance === undefined) {
      if (this.instances.length >= this.options.maxInstanceCount || gpus > this.options.gpusPerInstance) return undefined;
      instance = this.launch();
    }
    instance.freeGpus -= gpus;
    instance.placed++;
    return { instance, ready: instance.phase === 'InService' };
  }

  /** Gives `gpus` back; an instance left empty goes when the pool is above its minimum. */
  release(instance: PoolInstance, gpus: number): void {
    instance.freeGpus += gpus;
    instance.placed--;
    if (instance.placed === 0 && this.instances.length > this.options.minInstanceCount) {
      instance.cancel?.();
      this.instances = this.instances.filter((i) => i !== instance);
    }
    const waiters = [...this.roomWaiters];
    this.roomWaiters.clear();
    for (const w of waiters) w();
  }

  /** Calls `fn` once the instance is in service; returns a cancel function. */
  whenReady(instance: PoolInstance, fn: () => void): () => void {
    instance.readyWaiters.add(fn);
    return () => instance.readyWaiters.delete(fn);
  }

  /** Calls `fn` once, the next time room may have freed. */
  whenRoom(fn: () => void): void {
    this.roomWaiters.add(fn);
  }

  private newInstance(phase: ProvisioningPhase): PoolInstance {
    return { id: this.nextId++, phase, freeGpus: this.options.gpusPerInstance, placed: 0, cancel: undefined, readyWaiters: new Set() };
  }

  private launch(): PoolInstance {
    const instance = this.newInstance('Pending');
    this.instances.push(instance);
    instance.cancel = runPhases(
      this.options.clock,
      this.options.phases,
      INSTANCE_PHASES,
      (p) => (instance.phase = p),
      () => {
        instance.phase = 'InService';
        instance.cancel = undefined;
        const waiters = [...instance.readyWaiters];
        instance.readyWaiters.clear();
        for (const w of waiters) w();
      },
    );
    return instance;
  }
}

interface ComponentCopy {
  phase: ProvisioningPhase;
  instance: PoolInstance | undefined;
  modelCopy: number | undefined;
  cancel: (() => void) | undefined;
}

export interface ComponentCapacityOptions {
  endpoint: string;
  component: string;
  acceleratorsPerCopy: number;
  /** Copies in service at start (placed on instances in service without provisioning when they fit). */
  initialCopyCount: number;
  /** Made with no copies: this resource adds them. */
  model: ServingModel;
  pool: InstancePool;
  clock: Clock;
  phases: PhaseDurations;
}

/** An inference component's copies (sagemaker:inference-component:DesiredCopyCount). */
export class ComponentCapacity extends CapacityBase {
  readonly resourceId: string;
  readonly scalableDimension = 'sagemaker:inference-component:DesiredCopyCount' as const;
  private copies: ComponentCopy[] = [];

  constructor(readonly options: ComponentCapacityOptions) {
    super(options.clock, options.initialCopyCount);
    this.resourceId = `inference-component/${options.component}`;
    for (let i = 0; i < options.initialCopyCount; i++) {
      const copy = this.newCopy();
      const room = options.pool.reserve(options.acceleratorsPerCopy);
      if (room?.ready) {
        copy.instance = room.instance;
        this.serve(copy);
      } else {
        if (room) options.pool.release(room.instance, options.acceleratorsPerCopy);
        this.place(copy);
      }
    }
    this.changed();
  }

  currentCapacity(): number {
    return this.copies.filter((c) => c.phase === 'InService' || c.phase === 'Draining').length;
  }

  inService(): number {
    return this.copies.filter((c) => c.phase === 'InService').length;
  }

  /** Each copy's phase, oldest first. */
  copyPhases(): ProvisioningPhase[] {
    return this.copies.map((c) => c.phase);
  }

  protected transitioning(): boolean {
    return this.copies.some((c) => c.phase !== 'InService');
  }

  protected checkDesired(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`The desired copy count of inference component ${this.options.component} must be a non-negative integer, got ${n}.`);
  }

  protected reconcile(): void {
    const live = this.copies.filter((c) => c.phase !== 'Draining');
    for (let k = live.length; k < this.desired; k++) this.place(this.newCopy());
    const excess = live.length - this.desired;
    if (excess <= 0) return;
    const order = [...live.filter((c) => c.phase !== 'InService').reverse(), ...live.filter((c) => c.phase === 'InService').reverse()];
    for (const copy of order.slice(0, excess)) this.remove(copy);
  }

  private newCopy(): ComponentCopy {
    const copy: ComponentCopy = { phase: 'Pending', instance: undefined, modelCopy: undefined, cancel: undefined };
    this.copies.push(copy);
    return copy;
  }

  /** Finds room and loads, or waits for the instance, or for room. */
  private place(copy: ComponentCopy): void {
    const { pool, acceleratorsPerCopy } = this.options;
    const room = pool.reserve(acceleratorsPerCopy);
    if (room === undefined) {
      copy.phase = 'Pending';
      pool.whenRoom(() => {
        if (copy.phase === 'Pending' && this.copies.includes(copy)) this.place(copy);
      });
      return;
    }
    copy.instance = room.instance;
    if (room.ready) {
      this.load(copy);
      return;
    }
    copy.phase = 'Launching';
    copy.cancel = pool.whenReady(room.instance, () => this.load(copy));
  }

  private load(copy: ComponentCopy): void {
    copy.cancel = runPhases(
      this.clock,
      this.options.phases,
      ['LoadingModel'],
      (p) => (copy.phase = p),
      () => {
        copy.cancel = undefined;
        this.serve(copy);
        this.changed();
      },
    );
  }

  private serve(copy: ComponentCopy): void {
    copy.phase = 'InService';
    copy.modelCopy = this.options.model.addCopy();
  }

  private remove(copy: ComponentCopy): void {
    const drop = (): void => {
      this.copies = this.copies.filter((c) => c !== copy);
      if (copy.instance !== undefined) this.options.pool.release(copy.instance, this.options.acceleratorsPerCopy);
    };
    if (copy.phase !== 'InService') {
      copy.cancel?.();
      copy.phase = 'Draining';
      drop();
      return;
    }
    copy.phase = 'Draining';
    this.options.model.drainCopy(copy.modelCopy!, () => {
      drop();
      this.changed();
    });
  }
}
