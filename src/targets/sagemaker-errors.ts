/**
 * SageMaker Runtime failures as the stable error kinds of types.ts, whichever way they arrive:
 * an AWS SDK exception, an HTTP error response (`x-amzn-ErrorType` and status), or an exception
 * or error message inside the event stream. The error type name is kept as `code`.
 */
import { errorMessage } from '../lib/errors.js';
import { classifyTransportError } from './http-errors.js';
import { InvocationError, type ErrorKind } from './types.js';

/** SageMaker Runtime error types (shape names) by kind. */
const KIND_BY_ERROR_TYPE: Readonly<Record<string, ErrorKind>> = {
  ValidationError: 'validation',
  ModelError: 'model_error',
  ModelNotReadyException: 'model_not_ready',
  ThrottlingException: 'throttled',
  InternalFailure: 'internal_failure',
  ServiceUnavailable: 'service_unavailable',
  InternalDependencyException: 'internal_dependency',
  ModelStreamError: 'model_stream_error',
  InternalStreamFailure: 'internal_stream_failure',
};

/** Kinds of the documented statuses, for an error whose type is unknown or missing. */
const KIND_BY_STATUS: Readonly<Record<number, ErrorKind>> = {
  400: 'validation',
  424: 'model_error',
  429: 'throttled',
  500: 'internal_failure',
  503: 'service_unavailable',
  530: 'internal_dependency',
};

/**
 * An inference component without a copy to serve answers ValidationError "Inference Component has
 * no capacity to process this request…"; it drives scale-from-zero, so it gets its own code.
 */
const NO_CAPACITY = /no capacity/i;

/**
 * The SDK's event-stream decoder throws plain Errors with these messages (checked with
 * @smithy/core 3.x): a truncated message, a bad prelude or message CRC, an impossible length.
 */
const SDK_FRAME_ERROR = /Truncated event message|checksum|message length|too short to accommodate|event message where size/i;

/** What is known of a service error, from any source. */
export interface ServiceError {
  /** Error type name (`ValidationError`…), without any `:namespace` suffix. */
  type?: string;
  httpStatus?: number;
  message: string;
}

/** A service error as an InvocationError: by type first, then by status, else `http_status`. */
export function classifyServiceError(error: ServiceError, cause?: unknown): InvocationError {
  const { type, httpStatus, message } = error;
  const kind: ErrorKind =
    (type !== undefined && KIND_BY_ERROR_TYPE[type]) || (httpStatus !== undefined && KIND_BY_STATUS[httpStatus]) || 'http_status';
  const code = kind === 'validation' && NO_CAPACITY.test(message) ? 'NoCapacity' : type;
  return new InvocationError(
    { kind, ...(code !== undefined && { code }), ...(httpStatus !== undefined && { httpStatus }), message: message || type || `HTTP ${httpStatus ?? '?'}` },
    { cause },
  );
}

/** `x-amzn-ErrorType` values may carry a namespace: `ValidationError:http://internal.amazon.com/…`. */
export function errorTypeName(header: string): string {
  const colon = header.indexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/**
 * Anything the AWS SDK throws from `send` or while iterating a response stream (as observed with
 * @aws-sdk/client-sagemaker-runtime 3.x): service exceptions carry their type as `name` and
 * `$metadata.httpStatusCode`; in-stream exceptions and error messages only their `name`; socket
 * failures a Node `code` (a reset mid-stream is Error "aborted" with ECONNRESET); event-stream
 * framing errors are plain Errors with `$metadata.httpStatusCode` 200 and only a message.
 */
export function classifySdkError(e: unknown): InvocationError {
  if (e instanceof InvocationError) return e;
  if (!(e instanceof Error)) return new InvocationError({ kind: 'client', message: errorMessage(e) }, { cause: e });
  const httpStatus = statusOf(e);
  const message = e.message.split('\n')[0] ?? '';
  if (KIND_BY_ERROR_TYPE[e.name] !== undefined) {
    // ModelStreamError carries the container's ErrorCode beside its message.
    const errorCode = (e as { ErrorCode?: unknown }).ErrorCode;
    const text = typeof errorCode === 'string' ? `${errorCode}: ${message}` : message;
    return classifyServiceError({ type: e.name, ...(httpStatus !== undefined && { httpStatus }), message: text }, e);
  }
  if (SDK_FRAME_ERROR.test(message)) {
    return new InvocationError({ kind: 'malformed_frame', code: 'sdk_decoder', message }, { cause: e });
  }
  if (httpStatus !== undefined) return classifyServiceError({ type: e.name, httpStatus, message }, e);
  return classifyTransportError(e);
}

/** The HTTP status of an error answer; in-stream and framing errors carry the stream's 200, which is none. */
function statusOf(e: Error): number | undefined {
  const status = (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 300 ? status : undefined;
}
