/**
 * What `--target` (or a profile's `target`) names, with the SageMaker options, checked once:
 *
 * - `sim`: the built-in simulator;
 * - `http://host:port[/prefix]` or `https://…`: an OpenAI-compatible or TGI server;
 * - `sagemaker:<endpoint>`, or `sagemaker:<endpoint ARN>` (which also gives the region), with
 *   options either as CLI flags (`--inference-component ic-1 --region us-west-2 --no-stream`) or
 *   in the target string as a query (`sagemaker:my-endpoint?inference-component=ic-1&stream=false`),
 *   so a profile can carry them. A flag overrides the same option in the string.
 *
 * The CLI spreads `SAGEMAKER_CLI_OPTIONS` into its yargs builder and passes argv as `opts`.
 */
import type { Options } from 'yargs';
import { UserError } from '../lib/errors.js';

/** The SageMaker clients: the AWS SDK, or the fast path (SigV4-signed undici, our own decoder). */
export const SAGEMAKER_CLIENTS = ['sdk', 'fast'] as const;
export type SageMakerClient = (typeof SAGEMAKER_CLIENTS)[number];

/** yargs descriptors of the SageMaker target options; the keys are the flag names. */
export const SAGEMAKER_CLI_OPTIONS = {
  'inference-component': { type: 'string', describe: 'sagemaker: invoke this inference component of the endpoint' },
  variant: { type: 'string', describe: 'sagemaker: target production variant (TargetVariant)' },
  'custom-attributes': { type: 'string', describe: 'sagemaker: CustomAttributes passed to the container, e.g. k=v' },
  region: { type: 'string', describe: 'sagemaker: AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)' },
  'aws-profile': { type: 'string', describe: 'sagemaker: shared-config profile for credentials' },
  'endpoint-url': { type: 'string', describe: 'sagemaker: runtime endpoint override (simulator, local container), e.g. http://127.0.0.1:8080' },
  stream: { type: 'boolean', describe: 'sagemaker: InvokeEndpointWithResponseStream (default); --no-stream for InvokeEndpoint' },
  'sagemaker-client': { type: 'string', choices: SAGEMAKER_CLIENTS, describe: "sagemaker: 'sdk' (AWS SDK, default) or 'fast' (signed undici requests)" },
} as const satisfies Record<string, Options>;

/** The SageMaker options as parsed from the command line (argv), by flag name. */
export interface TargetOptions {
  'inference-component'?: string;
  variant?: string;
  'custom-attributes'?: string;
  region?: string;
  'aws-profile'?: string;
  'endpoint-url'?: string;
  stream?: boolean;
  'sagemaker-client'?: string;
}

/** A SageMaker endpoint and how to call it. */
export interface SageMakerTargetSpec {
  kind: 'sagemaker';
  endpointName: string;
  inferenceComponent?: string;
  targetVariant?: string;
  customAttributes?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  stream: boolean;
  client: SageMakerClient;
}

export type TargetSpec = { kind: 'sim' } | { kind: 'http'; baseUrl: string } | SageMakerTargetSpec;

const PREFIX = 'sagemaker:';
/** SageMaker resource names (endpoints, inference components, variants). */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):\d{12}:endpoint\/(.+)$/;
const CUSTOM_ATTRIBUTES_MAX = 1024;
const EXAMPLE = 'e.g. --target sagemaker:my-endpoint --inference-component ic-1 --region us-west-2';

function invalid(message: string): UserError {
  return new UserError('target_invalid', message);
}

/**
 * Parses a target and its options.
 * @throws UserError('target_invalid') saying what is wrong and giving an example of right.
 */
export function parseTargetSpec(target: string, opts: TargetOptions = {}): TargetSpec {
  const given = Object.keys(SAGEMAKER_CLI_OPTIONS).filter((key) => opts[key as keyof TargetOptions] !== undefined);
  if (!target.startsWith(PREFIX)) {
    if (given.length > 0) {
      throw invalid(`--${given[0] ?? ''} applies to sagemaker: targets only, not '${target}'; ${EXAMPLE}`);
    }
    return target === 'sim' ? { kind: 'sim' } : { kind: 'http', baseUrl: parseHttpUrl(target) };
  }
  return parseSageMaker(target, opts);
}

function parseHttpUrl(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw invalid(`target '${target}' is neither 'sim', a URL nor sagemaker:<endpoint>; e.g. --target http://127.0.0.1:8000, or ${EXAMPLE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`target '${target}': only http:// and https:// URLs are supported (or 'sim', or sagemaker:<endpoint>); e.g. --target http://127.0.0.1:8000`);
  }
  return target.replace(/\/+$/, '');
}

function parseSageMaker(target: string, cli: TargetOptions): SageMakerTargetSpec {
  const rest = target.slice(PREFIX.length);
  const q = rest.indexOf('?');
  const resource = q === -1 ? rest : rest.slice(0, q);
  const fromString = q === -1 ? {} : parseQuery(target, rest.slice(q + 1));
  const opts: TargetOptions = { ...fromString, ...definedOnly(cli) };

  const arn = ARN.exec(resource);
  const endpointName = arn ? (arn[2] as string) : resource;
  if (!NAME.test(endpointName)) {
    throw invalid(
      `target '${target}': '${endpointName}' is not a SageMaker endpoint name (letters, digits and hyphens, at most 63, e.g. sagemaker:my-endpoint); ${EXAMPLE}`,
    );
  }
  const region = opts.region ?? arn?.[1];
  if (region !== undefined && !REGION.test(region)) throw invalid(`region '${region}' is not an AWS region name, e.g. --region us-west-2`);
  checkName('inference-component', opts['inference-component'], 'ic-llama-1');
  checkName('variant', opts.variant, 'AllTraffic');
  const attributes = opts['custom-attributes'];
  if (attributes !== undefined && (attributes.length > CUSTOM_ATTRIBUTES_MAX || !/^[\x20-\x7e]*$/.test(attributes))) {
    throw invalid(`--custom-attributes must be printable ASCII of at most ${CUSTOM_ATTRIBUTES_MAX} characters, e.g. --custom-attributes trace_id=abc`);
  }
  const endpointUrl = opts['endpoint-url'];
  if (endpointUrl !== undefined) parseHttpUrl(endpointUrl);
  const client = opts['sagemaker-client'] ?? 'sdk';
  if (!isClient(client)) throw invalid(`--sagemaker-client must be one of ${SAGEMAKER_CLIENTS.join(', ')}, got '${client}'; e.g. --sagemaker-client fast`);

  return {
    kind: 'sagemaker',
    endpointName,
    ...(opts['inference-component'] !== undefined && { inferenceComponent: opts['inference-component'] }),
    ...(opts.variant !== undefined && { targetVariant: opts.variant }),
    ...(attributes !== undefined && { customAttributes: attributes }),
    ...(region !== undefined && { region }),
    ...(opts['aws-profile'] !== undefined && { profile: opts['aws-profile'] }),
    ...(endpointUrl !== undefined && { endpointUrl: endpointUrl.replace(/\/+$/, '') }),
    stream: opts.stream ?? true,
    client,
  };
}

function parseQuery(target: string, query: string): TargetOptions {
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (!(key in SAGEMAKER_CLI_OPTIONS)) {
      throw invalid(
        `target '${target}': unknown option '${key}'; known: ${Object.keys(SAGEMAKER_CLI_OPTIONS).join(', ')} (e.g. sagemaker:my-endpoint?inference-component=ic-1&region=us-west-2)`,
      );
    }
    if (key === 'stream') {
      if (value !== 'true' && value !== 'false') throw invalid(`target '${target}': stream must be true or false, e.g. sagemaker:my-endpoint?stream=false`);
      out[key] = value === 'true';
    } else {
      out[key] = value;
    }
  }
  return out as TargetOptions;
}

function checkName(flag: string, value: string | undefined, example: string): void {
  if (value !== undefined && !NAME.test(value)) {
    throw invalid(`--${flag} '${value}' is not a SageMaker name (letters, digits and hyphens, at most 63), e.g. --${flag} ${example}`);
  }
}

function isClient(value: string): value is SageMakerClient {
  return (SAGEMAKER_CLIENTS as readonly string[]).includes(value);
}

function definedOnly(opts: TargetOptions): TargetOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SAGEMAKER_CLI_OPTIONS)) {
    const value = opts[key as keyof TargetOptions];
    if (value !== undefined) out[key] = value;
  }
  return out as TargetOptions;
}
