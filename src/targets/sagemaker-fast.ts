/**
 * The SageMaker target's fast path: a SigV4-signed undici request straight to the runtime
 * endpoint, decoded with our own event-stream decoder, in the dispatch-handler style of the HTTP
 * target (http-exchange.ts): each chunk comes straight from the HTTP parser, one clock read per
 * chunk, frames and lines decoded synchronously in that callback. Same options, instants and
 * error kinds as the SDK path (sagemaker.ts); chosen with `--sagemaker-client fast`.
 *
 * Connections: one undici Pool with `maxConnections` keep-alive connections and no retries.
 * Errors: non-2xx answers are classified by `x-amzn-ErrorType` and status, like the SDK does.
 * Signing: @smithy/signature-v4 with the same credential chain as the SDK path; service
 * `sagemaker`, the runtime host `runtime.sagemaker.<region>.amazonaws.com` unless overridden.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Pool, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../lib/clock.js';
import { EventStreamDecoder, type EventStreamMessage } from '../stream/eventstream.js';
import { payloadPartOf } from '../stream/sagemaker-events.js';
import { classifyTransportError } from './http-errors.js';
import { bodyBuilder, credentialProvider, resolveRegion, type SageMakerInvokerOptions } from './sagemaker-config.js';
import { classifySdkError, classifyServiceError, errorTypeName } from './sagemaker-errors.js';
import { invokeWithExchange, SageMakerExchange } from './sagemaker-exchange.js';
import type { InferenceRequest, Invoker, StreamObserver } from './types.js';

/** Bytes of an error response body kept for the message. */
const ERROR_BODY_LIMIT = 4096;

const utf8 = new TextDecoder('utf-8');

/** The runtime endpoint of a region. */
export function runtimeEndpoint(region: string): string {
  return `https://runtime.sagemaker.${region}.amazonaws.com`;
}

/** An Invoker for a SageMaker endpoint over undici with our own decoder. `close` ends the pool's connections. */
export function createSageMakerFastInvoker(opts: SageMakerInvokerOptions): Invoker {
  const region = resolveRegion(opts.region);
  const base = new URL(opts.endpointUrl ?? runtimeEndpoint(region));
  const pool = new Pool(base.origin, { connections: opts.maxConnections, pipelining: 1 });
  const signer = new SignatureV4({ service: 'sagemaker', region, credentials: credentialProvider(opts), sha256: Hash.bind(null, 'sha256') });
  const operation = opts.stream ? 'invocations-response-stream' : 'invocations';
  const path = `${base.pathname.replace(/\/+$/, '')}/endpoints/${encodeURIComponent(opts.endpointName)}/${operation}`;
  const headers: Record<string, string> = {
    host: base.host,
    'content-type': 'application/json',
    ...(opts.inferenceComponent !== undefined && { 'x-amzn-sagemaker-inference-component': opts.inferenceComponent }),
    ...(opts.targetVariant !== undefined && { 'x-amzn-sagemaker-target-variant': opts.targetVariant }),
    ...(opts.customAttributes !== undefined && { 'x-amzn-sagemaker-custom-attributes': opts.customAttributes }),
  };
  const body = bodyBuilder(opts);
  const { clock } = opts;
  const port = base.port === '' ? undefined : Number(base.port);

  return {
    invoke(req: InferenceRequest, observer: StreamObserver, signal: AbortSignal): Promise<void> {
      return invokeWithExchange(opts, observer, signal, (exchange) => {
        const bytes = body(req);
        const unsigned = { method: 'POST', protocol: base.protocol, hostname: base.hostname, path, headers: { ...headers }, body: bytes, query: {} };
        if (!exchange.start()) return;
        signer
          .sign(port === undefined ? unsigned : { ...unsigned, port })
          .then((signed) => {
            if (exchange.done) return;
            pool.dispatch(
              { method: 'POST', path, headers: signed.headers, body: bytes, headersTimeout: 0, bodyTimeout: 0 },
              new FastHandler(exchange, clock, opts.stream),
            );
          })
          .catch((e: unknown) => exchange.fail(clock.nowMs(), classifySdkError(e)));
      });
    },
    close: () => pool.close(),
  };
}

/** The undici dispatch handler of one request: feeds the exchange, classifies error answers. */
class FastHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private errorType: string | undefined;
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly frames: EventStreamDecoder | undefined;

  constructor(
    private readonly exchange: SageMakerExchange,
    private readonly clock: Clock,
    stream: boolean,
  ) {
    this.frames = stream ? new EventStreamDecoder(this.onMessage) : undefined;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const abort = (): void => controller.abort(this.exchange.abortSignal.reason);
    if (this.exchange.done) abort();
    else this.exchange.abortSignal.addEventListener('abort', abort, { once: true });
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    if (statusCode >= 200 && statusCode < 300) {
      this.exchange.responseStart(this.clock.nowMs());
    } else {
      const type = headers['x-amzn-errortype'];
      if (typeof type === 'string') this.errorType = errorTypeName(type);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.exchange.done) return;
    const ok = this.status >= 200 && this.status < 300;
    if (ok && this.frames !== undefined) {
      const frames = this.frames;
      this.exchange.arrived(this.clock.nowMs());
      this.exchange.decode(() => frames.push(chunk));
    } else if (ok || this.length < ERROR_BODY_LIMIT) {
      if (ok) this.exchange.arrived(this.clock.nowMs());
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
  }

  onResponseEnd(): void {
    if (this.exchange.done) return;
    const tMs = this.clock.nowMs();
    if (this.status < 200 || this.status >= 300) {
      this.exchange.fail(tMs, this.errorAnswer());
      return;
    }
    const frames = this.frames;
    if (frames !== undefined) this.exchange.decode(() => frames.end());
    else this.exchange.body(tMs, Buffer.concat(this.chunks, this.length));
    this.exchange.end(tMs);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.exchange.fail(this.clock.nowMs(), classifyTransportError(err));
  }

  private readonly onMessage = (message: EventStreamMessage): void => {
    if (this.exchange.done) return;
    const bytes = payloadPartOf(message);
    if (bytes !== undefined) this.exchange.payload(bytes);
  };

  /** A non-2xx answer: type from `x-amzn-ErrorType` (else the body's `__type`), message from the JSON body. */
  private errorAnswer(): ReturnType<typeof classifyServiceError> {
    const text = utf8.decode(Buffer.concat(this.chunks, this.length).subarray(0, ERROR_BODY_LIMIT));
    let message = text.trim();
    let type = this.errorType;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) {
        const fields = parsed as Record<string, unknown>;
        const m = fields.message ?? fields.Message;
        if (typeof m === 'string') message = m;
        if (type === undefined && typeof fields.__type === 'string') type = errorTypeName(fields.__type.split('#').pop() ?? '');
      }
    } catch {
      // Not JSON: the text is the message.
    }
    return classifyServiceError({ ...(type !== undefined && { type }), httpStatus: this.status, message });
  }
}
