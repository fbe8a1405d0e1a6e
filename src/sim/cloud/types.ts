/**
 * Shapes shared by the control plane's parts, and the seam to the capacity model: a
 * {@link ScalableResource} is whatever Application Auto Scaling scales (an endpoint variant's
 * instances, an inference component's copies); the simulator implements it, tests use a fake.
 */

/** A CloudWatch dimension. A metric's identity is its namespace, name and full dimension set. */
export interface Dimension {
  Name: string;
  Value: string;
}

/** The metric a query or an alarm reads: CloudWatch's `Metric` shape. */
export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: readonly Dimension[];
}

export type ScalableDimension = 'sagemaker:variant:DesiredInstanceCount' | 'sagemaker:inference-component:DesiredCopyCount';
export const SCALABLE_DIMENSIONS: readonly ScalableDimension[] = [
  'sagemaker:variant:DesiredInstanceCount',
  'sagemaker:inference-component:DesiredCopyCount',
];

/** Called with the resource's new current capacity whenever it changes. */
export type CapacityListener = (currentCapacity: number) => void;

/**
 * A resource Application Auto Scaling scales. `desiredCapacity` is what was asked for;
 * `currentCapacity` what is in service. A scaling activity stays InProgress until the resource
 * reports (through `onCapacityChange`) that current capacity reached the desired value, so the
 * activity's EndTime marks capacity ready.
 */
export interface ScalableResource {
  /** `endpoint/{endpoint}/variant/{variant}` or `inference-component/{name}`. */
  readonly resourceId: string;
  readonly scalableDimension: ScalableDimension;
  desiredCapacity(): number;
  currentCapacity(): number;
  /** Starts moving toward `n`. Throws (any Error) when the resource refuses; the activity then fails with its message. */
  setDesiredCapacity(n: number): void;
  /** Subscribes to current-capacity changes; returns an unsubscribe function. */
  onCapacityChange(listener: CapacityListener): () => void;
}

/** Finds the resource a scalable target names; the capacity model supplies the real one. */
export interface ScalableResourceRegistry {
  get(resourceId: string, scalableDimension: ScalableDimension): ScalableResource | undefined;
}

/** A registry over a fixed or growing set of resources. */
export class MapResourceRegistry implements ScalableResourceRegistry {
  private readonly byKey = new Map<string, ScalableResource>();

  constructor(resources: Iterable<ScalableResource> = []) {
    for (const r of resources) this.add(r);
  }

  add(resource: ScalableResource): void {
    this.byKey.set(`${resource.scalableDimension}|${resource.resourceId}`, resource);
  }

  remove(resourceId: string, scalableDimension: ScalableDimension): void {
    this.byKey.delete(`${scalableDimension}|${resourceId}`);
  }

  get(resourceId: string, scalableDimension: ScalableDimension): ScalableResource | undefined {
    return this.byKey.get(`${scalableDimension}|${resourceId}`);
  }
}

/** Account and region the ARNs are minted in. */
export interface AwsIdentity {
  accountId: string;
  region: string;
}
