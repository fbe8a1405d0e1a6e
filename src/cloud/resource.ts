/**
 * The scalable resource a target names: an endpoint's production variant (instances) or an
 * inference component (copies), with its Application Auto Scaling ids.
 */
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudResource } from './types.js';

export interface CloudTarget {
  endpointName: string;
  /** Default: the endpoint's first (usually only) production variant, from DescribeEndpoint. */
  variantName?: string;
  /** When set, the component is the resource and the variant plays no part. */
  inferenceComponentName?: string;
}

/** The variant an endpoint has when nothing else is known: SageMaker's console and SDK default. */
export const DEFAULT_VARIANT = 'AllTraffic';

/** The resource of a target whose variant (or component) is known. */
export function resourceOf(target: CloudTarget & ({ variantName: string } | { inferenceComponentName: string })): CloudResource {
  if (target.inferenceComponentName !== undefined) {
    const ic = target.inferenceComponentName;
    return {
      kind: 'inference-component',
      endpointName: target.endpointName,
      inferenceComponentName: ic,
      resourceId: `inference-component/${ic}`,
      scalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
    };
  }
  const variant = target.variantName as string;
  return {
    kind: 'variant',
    endpointName: target.endpointName,
    variantName: variant,
    resourceId: `endpoint/${target.endpointName}/variant/${variant}`,
    scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
  };
}

/**
 * The target's resource; DescribeEndpoint is called only for a variant target that names no
 * variant. Rejects with the SDK's error when that call fails (the caller decides on a fallback).
 */
export async function resolveResource(sagemaker: SageMakerClient, target: CloudTarget): Promise<CloudResource> {
  if (target.inferenceComponentName !== undefined) return resourceOf({ ...target, inferenceComponentName: target.inferenceComponentName });
  if (target.variantName !== undefined) return resourceOf({ ...target, variantName: target.variantName });
  const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: target.endpointName }));
  const variantName = out.ProductionVariants?.[0]?.VariantName;
  if (variantName === undefined) throw new Error(`endpoint ${target.endpointName} has no production variant`);
  return resourceOf({ ...target, variantName });
}
