/**
 * Event-stream messages of `InvokeEndpointWithResponseStream` → the container's bytes.
 *
 * `:message-type=event` with `:event-type=PayloadPart` carries a slice of the container's response;
 * other event types are skipped (as the AWS SDK does with unknown events). An exception
 * (`:exception-type` ModelStreamError, InternalStreamFailure, JSON body `{Message, ErrorCode}`) or
 * an error (`:error-code`, `:error-message`) ends the stream with its classified kind.
 */
import { classifyServiceError } from '../targets/sagemaker-errors.js';
import { InvocationError } from '../targets/types.js';
import type { EventStreamMessage, HeaderValue } from './eventstream.js';
import { isObject } from './formats/json.js';

const utf8 = new TextDecoder('utf-8');

function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const header: HeaderValue | undefined = message.headers[name];
  return header?.type === 'string' ? header.value : undefined;
}

function requiredHeader(message: EventStreamMessage, name: string): string {
  const value = stringHeader(message, name);
  if (value === undefined) {
    throw new InvocationError({ kind: 'malformed_frame', code: 'missing_header', message: `event stream: message without a string '${name}' header` });
  }
  return value;
}

/** `Message` and `ErrorCode` of an exception's JSON body; the raw text when it is not JSON. */
function exceptionBody(payload: Uint8Array): { message: string; errorCode?: string } {
  const text = utf8.decode(payload);
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body)) {
      const message = body.Message ?? body.message;
      const errorCode = body.ErrorCode;
      return {
        message: typeof message === 'string' ? message : text,
        ...(typeof errorCode === 'string' && { errorCode }),
      };
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { message: text };
}

/**
 * The container bytes a message carries, or undefined for a message to skip.
 * @throws InvocationError for an in-stream exception or error, or a message without its type headers.
 */
export function payloadPartOf(message: EventStreamMessage): Uint8Array | undefined {
  const messageType = requiredHeader(message, ':message-type');
  if (messageType === 'event') {
    return requiredHeader(message, ':event-type') === 'PayloadPart' ? message.payload : undefined;
  }
  if (messageType === 'exception') {
    const type = requiredHeader(message, ':exception-type');
    const { message: text, errorCode } = exceptionBody(message.payload);
    throw classifyServiceError({ type, message: errorCode === undefined ? text : `${errorCode}: ${text}` });
  }
  if (messageType === 'error') {
    const type = requiredHeader(message, ':error-code');
    throw classifyServiceError({ type, message: stringHeader(message, ':error-message') ?? type });
  }
  throw new InvocationError({ kind: 'malformed_frame', code: 'unknown_message_type', message: `event stream: unknown :message-type '${messageType}'` });
}
