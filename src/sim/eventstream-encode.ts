/**
 * AWS event-stream frames as SageMaker's InvokeEndpointWithResponseStream sends them (pure encoders):
 * prelude (u32 total length, u32 headers length, u32 CRC32 of those 8 bytes), headers, payload, u32
 * CRC32 of everything before it. Encoding is smithy's EventStreamCodec, the one the SDK decodes with;
 * the two damaged forms exist for the corruptFrame and truncatedFrame faults.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

type MessageHeaders = Parameters<EventStreamCodec['encode']>[0]['headers'];

const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** The in-stream exceptions of SageMaker's ResponseStream union. */
export type StreamExceptionType = 'ModelStreamError' | 'InternalStreamFailure';

/** A data event: `bytes` are the container's output bytes, as they are. */
export function payloadPartFrame(bytes: Uint8Array): Uint8Array {
  const headers: MessageHeaders = {
    ':message-type': stringHeader('event'),
    ':event-type': stringHeader('PayloadPart'),
    ':content-type': stringHeader('application/octet-stream'),
  };
  return codec.encode({ headers, body: bytes });
}

/** An exception event with a JSON body, e.g. ModelStreamError {"Message", "ErrorCode"}. */
export function exceptionFrame(type: StreamExceptionType, body: Record<string, string>): Uint8Array {
  const headers: MessageHeaders = {
    ':message-type': stringHeader('exception'),
    ':exception-type': stringHeader(type),
    ':content-type': stringHeader('application/json'),
  };
  return codec.encode({ headers, body: new Uint8Array(Buffer.from(JSON.stringify(body), 'utf8')) });
}

/** A copy of `frame` whose message CRC (its last 4 bytes) is wrong; the prelude stays valid. */
export function withBadMessageCrc(frame: Uint8Array): Uint8Array {
  const bad = Uint8Array.from(frame);
  const last = bad.length - 1;
  bad[last] = (bad[last] ?? 0) ^ 0xff;
  return bad;
}

/** The first half of `frame`, past its prelude: a reader has a valid length and never gets the rest. */
export function truncatedFrame(frame: Uint8Array): Uint8Array {
  const preludeBytes = 12;
  return frame.subarray(0, Math.max(preludeBytes + 1, Math.floor(frame.length / 2)));
}
