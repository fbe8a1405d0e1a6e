/**
 * SageMaker Runtime (restJson1) on the simulator: `POST /endpoints/{name}/invocations` (InvokeEndpoint)
 * and `POST /endpoints/{name}/invocations-response-stream` (InvokeEndpointWithResponseStream, AWS
 * event-stream frames of PayloadParts). Routing per endpoints.ts, errors per runtime-errors.ts,
 * container bodies per payloads/. Request signatures are not checked (SigV4 or none).
 *
 * A request body the container rejects, and a full container queue, answer ModelError with the
 * container's status (400, 429) as OriginalStatusCode, as a real container behind SageMaker would.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRng, deriveSeed, type Rng } from '../lib/random.js';
import type { SimConfig } from './config.js';
import type { EndpointRegistry, SimTarget } from './endpoints.js';
import { exceptionFrame, payloadPartFrame, truncatedFrame, withBadMessageCrc } from './eventstream-encode.js';
import { Exchange, readJson, type ExchangeEnv, type Framing, type ServerOutcome } from './exchange.js';
import { CONTAINER_PAYLOADS, type ContainerPayload } from './payloads/index.js';
import { responseContext } from './protocols.js';
import type { RejectReason } from './model.js';
import { encodeRuntimeError, faultError, modelError, RUNTIME_ERROR_STATUS, STREAM_ERROR_MESSAGES, type RuntimeError } from './runtime-errors.js';

const PATH = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/;

/** The endpoint name and call a SageMaker Runtime path names, or undefined for another path. */
export function matchSageMakerPath(path: string): { endpoint: string; stream: boolean } | undefined {
  const match = PATH.exec(path);
  if (match === null) return undefined;
  return { endpoint: decodeURIComponent(match[1]!), stream: match[2] === 'invocations-response-stream' };
}

export interface SageMakerRouteDeps {
  env: ExchangeEnv;
  config: SimConfig;
  registry: EndpointRegistry;
  nextId(): string;
  /** An error answered for `target` before its model saw the request (an injected fault), for the CloudWatch error counts. */
  onError?(target: SimTarget, status: number, modelError: boolean): void;
}

/** The handler of SageMaker Runtime requests (paths already matched by matchSageMakerPath). */
export function sageMakerRoutes(deps: SageMakerRouteDeps) {
  const { env, config, registry } = deps;
  const scope = config.sagemaker;
  const splitRng = createRng(deriveSeed(config.seed, 'sim.sagemaker.splitLines'));

  return async function handle(req: IncomingMessage, res: ServerResponse, route: { endpoint: string; stream: boolean }): Promise<void> {
    const requestId = randomUUID();
    const exchange = new Exchange(res, deps.nextId(), route.stream ? 'sagemaker_stream' : 'sagemaker_invoke', env);
    const { record } = exchange;
    record.stream = route.stream;
    record.endpoint = route.endpoint;
    const customAttributes = header(req, 'x-amzn-sagemaker-custom-attributes');
    if (customAttributes !== undefined) record.customAttributes = customAttributes;
    const fail = (error: RuntimeError, outcome: ServerOutcome): void => {
      record.outcome = outcome;
      const encoded = encodeRuntimeError(error, requestId);
      exchange.sendJson(encoded.status, encoded.body, encoded.headers);
    };

    const resolution = registry.resolve(route.endpoint, {
      ...optionalHeader(req, 'targetVariant', 'x-amzn-sagemaker-target-variant'),
      ...optionalHeader(req, 'component', 'x-amzn-sagemaker-inference-component'),
    });
    if (!resolution.ok) {
      fail(resolution.error, 'not_found');
      return;
    }
    const { target } = resolution;
    record.variant = target.variant;
    if (target.component !== undefined) record.component = target.component;

    const body = await readJson(req);
    if (!body.ok) {
      fail(modelError(400, body.message, route.endpoint, scope), 'bad_request');
      return;
    }
    const payload = CONTAINER_PAYLOADS[target.payload];
    const protocol = payload.protocolFor(body.value);
    const parsed = protocol.parse(body.value);
    if (!parsed.ok) {
      fail(modelError(400, parsed.message, route.endpoint, scope), 'bad_request');
      return;
    }
    const request = parsed.request;
    record.inputTokens = request.inputTokens;

    const plan = env.faults.plan(env.clock.nowMs());
    if (plan.preResponse !== undefined) {
      exchange.inject(plan.preResponse.kind);
      const error = faultError(plan.preResponse, route.endpoint, scope);
      deps.onError?.(target, RUNTIME_ERROR_STATUS[error.type], error.type === 'ModelError');
      fail(error, 'error_injected');
      return;
    }

    const generation = {
      model: target.model,
      protocol,
      ctx: responseContext(record.id, protocol, request, config.server, Math.floor(env.clock.nowMs() / 1000)),
      maxOutputTokens: request.maxTokens ?? config.server.defaultMaxTokens,
      onRejected: (reason: RejectReason) =>
        reason === 'no_capacity'
          ? fail(faultError({ kind: 'noCapacity', probability: 1 }, route.endpoint, scope), 'no_capacity')
          : fail(modelError(429, 'Model is overloaded: queue full', route.endpoint, scope), 'rejected'),
    };
    const common = { 'x-amzn-invoked-production-variant': target.variant, 'x-amzn-requestid': requestId };
    if (!route.stream) {
      exchange.serveComplete(generation, { ...common, 'content-type': 'application/json' });
      return;
    }
    exchange.serveStream(generation, plan.midStream, eventStreamFraming(payload, common, splitRng, scope.splitLines));
  };
}

/**
 * PayloadParts carrying the container's bytes: one per piece of output (a token's line), split in two
 * at a random byte with probability `splitProbability`, so clients must buffer to the newline.
 */
function eventStreamFraming(payload: ContainerPayload, headers: Record<string, string>, rng: Rng, splitProbability: number): Framing {
  return {
    streamHeaders: {
      ...headers,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-sagemaker-content-type': payload.streamContentType,
    },
    encode: (text) => {
      const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
      if (bytes.length < 2 || rng.next() >= splitProbability) return [payloadPartFrame(bytes)];
      const at = 1 + Math.floor(rng.next() * (bytes.length - 1));
      return [payloadPartFrame(bytes.subarray(0, at)), payloadPartFrame(bytes.subarray(at))];
    },
    frames: {
      exception: (fault) =>
        fault.kind === 'modelStreamError'
          ? exceptionFrame('ModelStreamError', { Message: fault.message ?? STREAM_ERROR_MESSAGES.ModelStreamError, ErrorCode: fault.errorCode })
          : exceptionFrame('InternalStreamFailure', { Message: fault.message ?? STREAM_ERROR_MESSAGES.InternalStreamFailure }),
      damage: (kind, frame) => (kind === 'corruptFrame' ? withBadMessageCrc(frame) : truncatedFrame(frame)),
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `{ [key]: header }` when the header is present, else `{}`. */
function optionalHeader<K extends string>(req: IncomingMessage, key: K, name: string): Partial<Record<K, string>> {
  const value = header(req, name);
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
