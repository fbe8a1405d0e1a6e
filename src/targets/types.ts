/**
 * What a target does: send one inference request and report instants as they happen.
 * A failed request is data (DESIGN invariant 4): invokers report `onError`, they do not throw.
 */

/** Every way a request can fail, stable names used in results, timeline and summary. */
export const ERROR_KINDS = [
  'connect', //              could not connect (refused, DNS, unreachable)
  'connection_reset', //     connection dropped mid-request or mid-stream
  'timeout', //              request timeout (whole request)
  'stream_stalled', //       no bytes for longer than the stall timeout
  'http_status', //          non-2xx HTTP status without a more specific kind
  'throttled', //            429 / throttling
  'validation', //           400 / ValidationError
  'model_error', //          424 / ModelError
  'model_not_ready', //      ModelNotReadyException
  'internal_failure', //     500
  'service_unavailable', //  503
  'internal_dependency', //  530
  'model_stream_error', //   in-stream ModelStreamError
  'internal_stream_failure', // in-stream InternalStreamFailure
  'malformed_frame', //      event-stream framing broken (CRC, truncation)
  'malformed_payload', //    a payload line the decoder cannot parse (bad SSE, invalid JSON)
  'client', //               the client itself failed on this request
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface RequestError {
  kind: ErrorKind;
  code?: string;
  httpStatus?: number;
  message: string;
}

/** A classified request failure; invokers pass these to `StreamObserver.onError`. */
export class InvocationError extends Error implements RequestError {
  readonly kind: ErrorKind;
  readonly code?: string;
  readonly httpStatus?: number;

  constructor(error: RequestError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = 'InvocationError';
    this.kind = error.kind;
    if (error.code !== undefined) this.code = error.code;
    if (error.httpStatus !== undefined) this.httpStatus = error.httpStatus;
  }

  toJSON(): RequestError {
    return {
      kind: this.kind,
      ...(this.code !== undefined && { code: this.code }),
      ...(this.httpStatus !== undefined && { httpStatus: this.httpStatus }),
      message: this.message,
    };
  }
}

export interface InferenceRequest {
  seq: number;
  stage: number;
  /** Planned send instant, epoch ms. */
  intendedMs: number;
  prompt: string;
  inputTokens: number;
  maxOutputTokens: number;
}

/** Where the output token count came from: the server's usage/details field, or counting token events. */
export type TokenSource = 'usage' | 'events';

/**
 * Readings only; no work on the hot path. Times are epoch ms from the run's Clock.
 * Exactly one of onEnd / onError ends a request.
 */
export interface StreamObserver {
  onSent(tMs: number): void;
  onFirstByte(tMs: number): void;
  /** `count` output tokens arrived at `tMs` (an event may carry several). */
  onTokens(tMs: number, count: number): void;
  /** The server reported usage (final chunk, TGI details). Overrides counted events for the total. */
  onUsage(usage: { inputTokens?: number; outputTokens?: number }): void;
  onEnd(tMs: number): void;
  onError(tMs: number, err: InvocationError): void;
}

export interface Invoker {
  /** Resolves when the request has ended (observer told). Never rejects for a request failure. */
  invoke(req: InferenceRequest, obs: StreamObserver, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
