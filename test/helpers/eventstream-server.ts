/**
 * SageMaker `InvokeEndpointWithResponseStream` responses for the fixture server: event-stream
 * messages encoded with @smithy's own EventStreamCodec (an independent encoder), and scripts
 * that play them with the headers SageMaker sends.
 *
 * ```ts
 * const server = await startFixtureServer(streamScript(tgiLines(['Hel', 'lo']), { gapMs: 10 }));
 * ```
 *
 * Also an observer that records what an invoker reported, for the SageMaker invoker tests.
 */
import { EventStreamCodec, type Message } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import type { RequestError, StreamObserver } from '../../src/targets/types.js';
import { sseEvent, tgiPayloads, type FixtureStep } from './fixture-server.js';

export const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Headers SageMaker sends with a stream. */
export const STREAM_HEADERS = {
  'content-type': 'application/vnd.amazon.eventstream',
  'x-amzn-sagemaker-content-type': 'application/json',
  'x-amzn-invoked-production-variant': 'AllTraffic',
  'x-amzn-requestid': 'fixture-request',
};

const str = (value: string): { type: 'string'; value: string } => ({ type: 'string', value });

/** One message, encoded. */
export function encode(message: Message): Uint8Array {
  return codec.encode(message);
}

/** A PayloadPart event carrying `bytes`. */
export function payloadPart(bytes: string | Uint8Array): Uint8Array {
  return encode({
    headers: { ':event-type': str('PayloadPart'), ':content-type': str('application/octet-stream'), ':message-type': str('event') },
    body: typeof bytes === 'string' ? fromUtf8(bytes) : bytes,
  });
}

/** An in-stream exception (ModelStreamError, InternalStreamFailure) with its JSON body. */
export function exceptionMessage(type: string, body: object): Uint8Array {
  return encode({
    headers: { ':exception-type': str(type), ':content-type': str('application/json'), ':message-type': str('exception') },
    body: fromUtf8(JSON.stringify(body)),
  });
}

/** An `:message-type=error` message. */
export function errorMessageFrame(code: string, message: string): Uint8Array {
  return encode({ headers: { ':error-code': str(code), ':error-message': str(message), ':message-type': str('error') }, body: new Uint8Array(0) });
}

/** TGI SSE text, one string per token plus the final details event. */
export function tgiLines(texts: readonly string[]): string[] {
  return tgiPayloads(texts, 3).map((p) => sseEvent(p));
}

/** LMI JSON lines: one line per token, the last with generated_text and details. */
export function lmiLines(texts: readonly string[]): string[] {
  return texts.map((text, i) =>
    JSON.stringify({
      token: { id: i + 10, text, log_prob: -0.5 },
      ...(i === texts.length - 1 && { generated_text: texts.join(''), details: { finish_reason: 'length', generated_tokens: texts.length } }),
    }) + '\n',
  );
}

/** Options of `streamScript`. */
export interface StreamScriptOptions {
  gapMs?: number;
  /** How the response finishes: 'end' (default), 'destroy' the socket, or 'hang'. */
  finish?: 'end' | 'destroy' | 'hang';
  /** Extra frames (already encoded) after the payload parts, e.g. an exception. */
  trailer?: Uint8Array[];
}

/** A 200 event-stream response with one PayloadPart per string (or pre-encoded frame). */
export function streamScript(parts: ReadonlyArray<string | Uint8Array>, options: StreamScriptOptions = {}): FixtureStep[] {
  const { gapMs = 0, finish = 'end', trailer = [] } = options;
  const steps: FixtureStep[] = [{ status: 200, headers: STREAM_HEADERS }];
  const frames = [...parts.map((p) => (typeof p === 'string' ? payloadPart(p) : p)), ...trailer];
  frames.forEach((frame, i) => {
    if (i > 0 && gapMs > 0) steps.push({ wait: gapMs });
    steps.push({ write: frame });
  });
  if (finish !== 'hang') steps.push(finish);
  return steps;
}

/** A runtime error response as AWS sends it: `x-amzn-ErrorType` and a JSON body. */
export function errorScript(status: number, type: string, message: string, extra: object = {}): FixtureStep[] {
  return [
    { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker.runtime/`, 'x-amzn-requestid': 'fixture' } },
    { write: JSON.stringify({ message, ...extra }) },
    'end',
  ];
}

/** Everything an observer was told, in order. */
export interface Recording {
  sentMs?: number;
  firstByteMs?: number;
  tokens: Array<{ tMs: number; count: number }>;
  usage?: { inputTokens?: number; outputTokens?: number };
  endMs?: number;
  error?: { tMs: number; err: RequestError };
  calls: string[];
}

/** An observer that records every call. */
export function recordingObserver(): { obs: StreamObserver; rec: Recording } {
  const rec: Recording = { tokens: [], calls: [] };
  const obs: StreamObserver = {
    onSent: (tMs) => void (rec.calls.push('sent'), (rec.sentMs = tMs)),
    onFirstByte: (tMs) => void (rec.calls.push('firstByte'), (rec.firstByteMs = tMs)),
    onTokens: (tMs, count) => void (rec.calls.push('tokens'), rec.tokens.push({ tMs, count })),
    onUsage: (usage) => void (rec.calls.push('usage'), (rec.usage = usage)),
    onEnd: (tMs) => void (rec.calls.push('end'), (rec.endMs = tMs)),
    onError: (tMs, err) => void (rec.calls.push('error'), (rec.error = { tMs, err: err.toJSON() })),
  };
  return { obs, rec };
}

/** Total tokens of a recording, as the recorder counts them: usage overrides counted events. */
export function tokenTotal(rec: Recording): number {
  return rec.usage?.outputTokens ?? rec.tokens.reduce((sum, t) => sum + t.count, 0);
}
