/**
 * Classifies what can go wrong with an HTTP request into the stable error kinds of types.ts.
 * The original code (ECONNREFUSED, UND_ERR_SOCKET…) is kept as `code` for diagnosis.
 */
import { errorMessage } from '../lib/errors.js';
import { InvocationError, type ErrorKind } from './types.js';

/** Error codes of Node and undici, by the kind they mean. */
const KIND_BY_CODE: Readonly<Record<string, ErrorKind>> = {
  ECONNREFUSED: 'connect',
  ENOTFOUND: 'connect',
  EAI_AGAIN: 'connect',
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection_reset',
  ERR_STREAM_PREMATURE_CLOSE: 'connection_reset',
  UND_ERR_HEADERS_TIMEOUT: 'stream_stalled',
  UND_ERR_BODY_TIMEOUT: 'stream_stalled',
};

/** Longest part of an error response body kept in the message. */
const BODY_EXCERPT_LENGTH = 200;

/**
 * A transport failure (thrown by undici or the socket) as an InvocationError. Unknown codes are
 * `client`: the failure is ours until shown otherwise. HTTP parser errors (`HPE_*`) mean the
 * server broke HTTP framing and are `malformed_frame`.
 */
export function classifyTransportError(err: unknown): InvocationError {
  if (err instanceof InvocationError) return err;
  const code = codeOf(err);
  const kind: ErrorKind = (code !== undefined && KIND_BY_CODE[code]) || (code?.startsWith('HPE_') ? 'malformed_frame' : 'client');
  return new InvocationError({ kind, ...(code !== undefined && { code }), message: errorMessage(err) }, { cause: err });
}

/** A non-2xx response as an InvocationError: 429 throttled, 400 validation, others http_status. */
export function classifyHttpStatus(status: number, body: string): InvocationError {
  const kind: ErrorKind = status === 429 ? 'throttled' : status === 400 ? 'validation' : 'http_status';
  const text = body.replace(/\s+/g, ' ').trim();
  const excerpt = text.length > BODY_EXCERPT_LENGTH ? `${text.slice(0, BODY_EXCERPT_LENGTH)}…` : text;
  return new InvocationError({ kind, httpStatus: status, message: excerpt ? `HTTP ${status}: ${excerpt}` : `HTTP ${status}` });
}

/** The error's own `code`, or that of its cause (undici wraps socket errors). */
function codeOf(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if ('code' in e && typeof e.code === 'string') return e.code;
  }
  return undefined;
}
