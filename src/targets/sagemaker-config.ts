/**
 * What both SageMaker invokers (AWS SDK and fast path) share: their options, the region, the
 * credentials, the request body and the target headers.
 *
 * Region: the option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1.
 * Credentials: the SDK's default provider chain (environment, SSO, web identity, shared files with
 * `profile`, process, container/instance metadata). With an endpoint-URL override (the simulator,
 * a local container) and no credentials anywhere, static dummy credentials stand in: such peers
 * do not check signatures, and a load test of a local container should not need an AWS account.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../lib/clock.js';
import type { ResponseFormat } from '../stream/response.js';
import { payloadBody, type Payload } from './payloads.js';
import type { InferenceRequest } from './types.js';

/** Options of `createSageMakerInvoker` and `createSageMakerFastInvoker`. */
export interface SageMakerInvokerOptions {
  endpointName: string;
  /** `InferenceComponentName`: invoke this inference component of the endpoint. */
  inferenceComponent?: string;
  /** `TargetVariant`: send to this production variant. */
  targetVariant?: string;
  /** `CustomAttributes`, passed to the container as is. */
  customAttributes?: string;
  region?: string;
  /** Shared-config profile for credentials. */
  profile?: string;
  /** Runtime endpoint override, e.g. http://127.0.0.1:8080 (simulator, local container). */
  endpointUrl?: string;
  /** InvokeEndpointWithResponseStream when true, InvokeEndpoint when false. */
  stream: boolean;
  payload: Payload;
  responseFormat: ResponseFormat;
  clock: Clock;
  /** Socket pool size; must be at least the runner's in-flight limit. */
  maxConnections: number;
  /** Whole-request limit, from send to the end of the stream. */
  requestTimeoutMs: number;
  /** Longest silence before `stream_stalled`; none when undefined. */
  stallTimeoutMs?: number;
}

/** Used only with an endpoint-URL override when no credentials are found. */
const DUMMY_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'scalelab-local', secretAccessKey: 'scalelab-local' };

/** The region when neither the option nor the environment names one. */
export const DEFAULT_REGION = 'us-east-1';

/** The option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else DEFAULT_REGION. */
export function resolveRegion(region: string | undefined): string {
  return region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
}

/** The credentials provider of the options (see the module comment). Memoized by the SDK chain. */
export function credentialProvider(opts: Pick<SageMakerInvokerOptions, 'profile' | 'endpointUrl'>): AwsCredentialIdentityProvider {
  const chain = defaultProvider(opts.profile === undefined ? {} : { profile: opts.profile });
  if (opts.endpointUrl === undefined) return chain;
  let fallback = false;
  return async () => {
    if (fallback) return DUMMY_CREDENTIALS;
    try {
      return await chain();
    } catch {
      fallback = true;
      return DUMMY_CREDENTIALS;
    }
  };
}

const utf8 = new TextEncoder();

/** Builds the request body bytes of a request, per the options' payload and streaming mode. */
export function bodyBuilder(opts: Pick<SageMakerInvokerOptions, 'payload' | 'stream'>): (req: InferenceRequest) => Uint8Array {
  const body = payloadBody(opts.payload);
  const { stream } = opts;
  return (req) => utf8.encode(body(req, stream));
}
