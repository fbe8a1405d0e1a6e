/**
 * The three AWS clients the cloud readers use (CloudWatch, Application Auto Scaling, SageMaker),
 * built the same way against AWS and against the simulator: only `endpointUrl` differs.
 *
 * - Region and credentials as the SageMaker invoker resolves them (targets/sagemaker-config.ts):
 *   the option, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1; the default provider chain
 *   with the optional profile, and static dummy credentials with an endpoint override and no
 *   credentials anywhere.
 * - `maxAttempts` defaults to 3: these reads are not the load, so the SDK's retries (throttling,
 *   a dropped connection) are welcome here, unlike on the invokers (DESIGN invariant 5).
 * - Every response's `Date` header is sampled with the local send and receive instants, on the
 *   given Clock, for the clock-offset estimate (correlate/clock-offset.ts).
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeserializeHandler, DeserializeHandlerArguments, DeserializeHandlerOutput, MetadataBearer } from '@smithy/types';
import { estimateClockOffset, type ClockOffsetEstimate, type DateSample } from '../correlate/clock-offset.js';
import type { Clock } from '../lib/clock.js';
import { credentialProvider, resolveRegion } from '../targets/sagemaker-config.js';

export interface CloudClientsConfig {
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1. */
  region?: string;
  /** Shared-config profile for credentials. */
  profile?: string;
  /** One endpoint for all three services (the simulator serves them on one port). */
  endpointUrl?: string;
  /** SDK attempts per call; default {@link DEFAULT_READ_ATTEMPTS}. */
  maxAttempts?: number;
}

export const DEFAULT_READ_ATTEMPTS = 3;

/** Date samples kept per client set: 5 s sampling for 13 hours; the first ones suffice for an estimate. */
const MAX_DATE_SAMPLES = 10_000;

export interface CloudClients {
  cloudwatch: CloudWatchClient;
  autoscaling: ApplicationAutoScalingClient;
  sagemaker: SageMakerClient;
  region: string;
  /** Every response's `Date` header with the local instants around it, oldest first. */
  dateSamples(): readonly DateSample[];
  /** The offset estimate from the samples so far (AWS clock minus this machine's), or undefined without any. */
  clockOffset(): ClockOffsetEstimate | undefined;
  destroy(): void;
}

type AnyClient = CloudWatchClient | ApplicationAutoScalingClient | SageMakerClient;

export function createCloudClients(config: CloudClientsConfig, clock: Clock): CloudClients {
  const region = resolveRegion(config.region);
  const common = {
    region,
    maxAttempts: config.maxAttempts ?? DEFAULT_READ_ATTEMPTS,
    credentials: credentialProvider({ ...(config.profile !== undefined && { profile: config.profile }), ...(config.endpointUrl !== undefined && { endpointUrl: config.endpointUrl }) }),
    ...(config.endpointUrl !== undefined && { endpoint: config.endpointUrl }),
  };
  const samples: DateSample[] = [];
  const cloudwatch = new CloudWatchClient(common);
  const autoscaling = new ApplicationAutoScalingClient(common);
  const sagemaker = new SageMakerClient(common);
  for (const client of [cloudwatch, autoscaling, sagemaker] as AnyClient[]) sampleDates(client, clock, samples);
  return {
    cloudwatch,
    autoscaling,
    sagemaker,
    region,
    dateSamples: () => samples,
    clockOffset: () => estimateClockOffset(samples),
    destroy: () => {
      cloudwatch.destroy();
      autoscaling.destroy();
      sagemaker.destroy();
    },
  };
}

/**
 * A middleware innermost in the deserialize step: `next` is the HTTP handler itself, so the
 * instants bracket one attempt on the wire (retries are sampled one by one) and error responses
 * are sampled too.
 */
function sampleDates(client: AnyClient, clock: Clock, samples: DateSample[]): void {
  const middleware =
    <O extends MetadataBearer>(next: DeserializeHandler<object, O>) =>
    async (args: DeserializeHandlerArguments<object>): Promise<DeserializeHandlerOutput<O>> => {
      const localSentMs = clock.nowMs();
      const out = await next(args);
      const localRecvMs = clock.nowMs();
      const serverDateMs = parseDateHeader((out.response as { headers?: Record<string, string> } | undefined)?.headers);
      if (serverDateMs !== undefined && samples.length < MAX_DATE_SAMPLES) samples.push({ localSentMs, localRecvMs, serverDateMs });
      return out;
    };
  (client.middlewareStack as { add(m: unknown, o: object): void }).add(middleware, { step: 'deserialize', priority: 'low', name: 'scalelabDateSample' });
}

/** The `Date` header (any case) as epoch ms, or undefined when absent or unparsable. */
export function parseDateHeader(headers: Record<string, string> | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const raw = headers.date ?? Object.entries(headers).find(([k]) => k.toLowerCase() === 'date')?.[1];
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}
