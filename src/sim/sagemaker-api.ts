/**
 * The SageMaker control plane's calls the load tester and its users make, over AWS JSON 1.1
 * (`x-amz-target: SageMaker.<Op>`, content-type application/x-amz-json-1.1): DescribeEndpoint,
 * DescribeInferenceComponent, UpdateEndpointWeightsAndCapacities,
 * UpdateInferenceComponentRuntimeConfig, ListEndpoints. Timestamps are epoch seconds.
 *
 * Statuses: an endpoint is `Updating` while any variant's instances (or the component endpoint's
 * instances) are provisioning or draining or differ from the desired count, else `InService`; a
 * component likewise `Updating` or `InService`. Errors are AWS JSON errors (`__type`, `message`),
 * e.g. ValidationException `Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x".`
 * (the wording AWS answers; the component's is [inferred] alike). An update does not refuse an
 * endpoint already Updating (AWS answers "Cannot update in-progress endpoint"): the simulator lets
 * Application Auto Scaling and a user's update overlap, the later desired count winning.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { errorMessage } from '../lib/errors.js';
import type { ComponentCapacity, VariantCapacity } from './capacity.js';
import { CloudApiError } from './cloud/errors.js';
import { compact, epochS, parseJson, readBody, sendJson, validate } from './cloud/api/wire.js';
import type { SageMakerConfig } from './config.js';
import type { EndpointRegistry, SimEndpoint, SimTarget } from './endpoints.js';

export const SAGEMAKER_TARGET_PREFIX = 'SageMaker.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type SageMakerApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface SageMakerApiDeps {
  endpoints: EndpointRegistry;
  scope: SageMakerConfig;
}

const invalid = (message: string): CloudApiError => new CloudApiError('ValidationException', message);

const name = z.string().min(1).max(63);
const describeEndpointInput = z.object({ EndpointName: name });
const describeComponentInput = z.object({ InferenceComponentName: name });
const updateWeightsInput = z.object({
  EndpointName: name,
  DesiredWeightsAndCapacities: z
    .array(z.object({ VariantName: name, DesiredWeight: z.number().min(0).optional(), DesiredInstanceCount: z.number().int().min(0).optional() }))
    .min(1),
});
const updateRuntimeInput = z.object({ InferenceComponentName: name, DesiredRuntimeConfig: z.object({ CopyCount: z.number().int().min(0) }) });
const listEndpointsInput = z.object({ NameContains: z.string().optional(), StatusEquals: z.string().optional(), MaxResults: z.number().int().min(1).max(100).optional() });

type Operation = (input: unknown) => unknown;

export function createSageMakerApiHandler(deps: SageMakerApiDeps): SageMakerApiHandler {
  const { endpoints, scope } = deps;
  const arn = (kind: 'endpoint' | 'inference-component', n: string): string => `arn:aws:sagemaker:${scope.region}:${scope.accountId}:${kind}/${n.toLowerCase()}`;

  const endpointNamed = (n: string): SimEndpoint => {
    const e = endpoints.endpoint(n);
    if (e === undefined) throw invalid(`Could not find endpoint "${arn('endpoint', n)}".`);
    return e;
  };
  const componentNamed = (n: string): SimTarget & { capacity: ComponentCapacity } => {
    for (const e of endpoints.list()) {
      const c = e.components.get(n);
      if (c !== undefined) return c as SimTarget & { capacity: ComponentCapacity };
    }
    throw invalid(`Could not find inference component "${arn('inference-component', n)}".`);
  };
  const capacities = (e: SimEndpoint): Array<VariantCapacity | ComponentCapacity> => [...e.variants.map((v) => v.target.capacity), ...[...e.components.values()].map((c) => c.capacity)];
  const endpointStatus = (e: SimEndpoint): 'InService' | 'Updating' =>
    capacities(e).some((c) => c.status() === 'Updating') || e.pool?.transitioning() ? 'Updating' : 'InService';
  const lastModifiedMs = (e: SimEndpoint): number => Math.max(e.createdMs, ...capacities(e).map((c) => c.lastModifiedMs));

  const operations: Record<string, Operation> = {
    DescribeEndpoint: (raw) => {
      const e = endpointNamed(validate(describeEndpointInput, raw, invalid).EndpointName);
      const variants = e.pool
        ? [
            {
              VariantName: 'AllTraffic',
              CurrentWeight: 1,
              DesiredWeight: 1,
              CurrentInstanceCount: e.pool.currentInstanceCount(),
              DesiredInstanceCount: e.pool.desiredInstanceCount(),
              ManagedInstanceScaling: { Status: 'ENABLED', MinInstanceCount: e.pool.options.minInstanceCount, MaxInstanceCount: e.pool.options.maxInstanceCount },
            },
          ]
        : e.variants.map((v) => ({
            VariantName: v.target.variant,
            CurrentWeight: v.weight,
            DesiredWeight: v.weight,
            CurrentInstanceCount: v.target.capacity.currentCapacity(),
            DesiredInstanceCount: v.target.capacity.desiredCapacity(),
          }));
      return {
        EndpointName: e.name,
        EndpointArn: arn('endpoint', e.name),
        EndpointConfigName: `${e.name}-config`,
        ProductionVariants: variants,
        EndpointStatus: endpointStatus(e),
        CreationTime: epochS(e.createdMs),
        LastModifiedTime: epochS(lastModifiedMs(e)),
      };
    },
    DescribeInferenceComponent: (raw) => {
      const c = componentNamed(validate(describeComponentInput, raw, invalid).InferenceComponentName);
      const component = c.component as string;
      return {
        InferenceComponentName: component,
        InferenceComponentArn: arn('inference-component', component),
        EndpointName: c.endpoint,
        EndpointArn: arn('endpoint', c.endpoint),
        VariantName: c.variant,
        Specification: {
          ModelName: `${component}-model`,
          ComputeResourceRequirements: { NumberOfAcceleratorDevicesRequired: c.capacity.options.acceleratorsPerCopy, MinMemoryRequiredInMb: 1024 },
        },
        RuntimeConfig: { DesiredCopyCount: c.capacity.desiredCapacity(), CurrentCopyCount: c.capacity.currentCapacity() },
        InferenceComponentStatus: c.capacity.status(),
        CreationTime: epochS(c.capacity.createdMs),
        LastModifiedTime: epochS(c.capacity.lastModifiedMs),
      };
    },
    UpdateEndpointWeightsAndCapacities: (raw) => {
      const input = validate(updateWeightsInput, raw, invalid);
      const e = endpointNamed(input.EndpointName);
      const changes = input.DesiredWeightsAndCapacities.map((d) => {
        const v = e.variants.find((x) => x.target.variant === d.VariantName);
        // [inferred] wording
        if (v === undefined) throw invalid(`The variant(s) "[${d.VariantName}]" is/are not present in the endpoint "${e.name}".`);
        if (d.DesiredInstanceCount !== undefined && d.DesiredInstanceCount < 1) throw invalid('DesiredInstanceCount must be at least 1.');
        return { v, d };
      });
      for (const { v, d } of changes) {
        if (d.DesiredWeight !== undefined) v.weight = d.DesiredWeight;
        if (d.DesiredInstanceCount !== undefined) v.target.capacity.setDesiredCapacity(d.DesiredInstanceCount);
      }
      return { EndpointArn: arn('endpoint', e.name) };
    },
    UpdateInferenceComponentRuntimeConfig: (raw) => {
      const input = validate(updateRuntimeInput, raw, invalid);
      const c = componentNamed(input.InferenceComponentName);
      c.capacity.setDesiredCapacity(input.DesiredRuntimeConfig.CopyCount);
      return { InferenceComponentArn: arn('inference-component', input.InferenceComponentName) };
    },
    ListEndpoints: (raw) => {
      const input = validate(listEndpointsInput, raw, invalid);
      const items = endpoints
        .list()
        .filter((e) => input.NameContains === undefined || e.name.includes(input.NameContains))
        .filter((e) => input.StatusEquals === undefined || endpointStatus(e) === input.StatusEquals)
        .slice(0, input.MaxResults ?? 100)
        .map((e) => ({
          EndpointName: e.name,
          EndpointArn: arn('endpoint', e.name),
          CreationTime: epochS(e.createdMs),
          LastModifiedTime: epochS(lastModifiedMs(e)),
          EndpointStatus: endpointStatus(e),
        }));
      return { Endpoints: items };
    },
  };

  let lastRequestId = 0;
  return async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(SAGEMAKER_TARGET_PREFIX)) return false;
    const requestId = `00000000-0000-4000-9000-${String(++lastRequestId).padStart(12, '0')}`;
    const reply = (status: number, body: unknown, errorType?: string): void =>
      sendJson(res, status, CONTENT_TYPE, body, { 'x-amzn-requestid': requestId, ...(errorType !== undefined && { 'x-amzn-errortype': errorType }) });
    try {
      const operation = operations[target.slice(SAGEMAKER_TARGET_PREFIX.length)];
      if (operation === undefined) {
        reply(400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` }, 'UnknownOperationException');
        return true;
      }
      reply(200, compact(operation(parseJson(await readBody(req), invalid)) as Record<string, unknown>));
    } catch (e: unknown) {
      const error = e instanceof CloudApiError ? e : e instanceof RangeError ? invalid(e.message) : new CloudApiError('InternalFailure', `simulator failure: ${errorMessage(e)}`, 500);
      reply(error.httpStatus, { __type: error.awsType, message: error.message }, error.awsType);
    }
    return true;
  };
}
