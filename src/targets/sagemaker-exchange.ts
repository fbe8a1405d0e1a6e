/**
 * One SageMaker invocation from send to its single end (onEnd or onError), whichever transport
 * carries it (the AWS SDK or the fast path): the transport reports instants and bytes, this
 * decodes them and tells the observer.
 *
 * Every way the exchange can end goes through `finish`, which runs once: it clears the timers,
 * detaches from the caller's signal, tells the observer and resolves `invoke`. Ends found on our
 * side (request timeout, stall, decode error, in-stream error, cancel) also abort `abortSignal`,
 * which the transport passes to its request, so the connection is dropped and nothing lingers.
 *
 * Stalls: one timer per request, armed at send and re-armed (`refresh`, no allocation) on every
 * arrival, so it bounds the wait for the response headers and every gap between events.
 *
 * A stream ends when the event stream ends cleanly. No container end marker is required:
 * SageMaker closes the event stream only when the container's response ended, and reports a
 * container that failed mid-answer in the stream (ModelStreamError, InternalStreamFailure); a cut
 * connection is a transport error and a cut message a truncated frame.
 */
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { ByteStreamDecoder } from '../stream/decode.js';
import type { TokenEvent } from '../stream/formats/index.js';
import { createResponseDecoder, type ResponseFormat } from '../stream/response.js';
import { decodeWholeResponse } from '../stream/whole-response.js';
import { InvocationError, type StreamObserver } from './types.js';

/** What one exchange needs; `resolve` and `reject` settle the `invoke` promise. */
export interface SageMakerExchangeOptions {
  clock: Clock;
  observer: StreamObserver;
  signal: AbortSignal;
  responseFormat: ResponseFormat;
  requestTimeoutMs: number;
  /** Longest silence before `stream_stalled`; none when undefined. */
  stallTimeoutMs?: number;
  resolve: () => void;
  /** Called instead of `resolve` when the observer itself throws: a failure of the tool, not of the request. */
  reject: (err: unknown) => void;
}

/**
 * Runs one invocation: makes the exchange for `invoke`'s promise and hands it to `send`, the
 * client-specific part (SDK call or signed undici request). Both SageMaker invokers share it.
 */
export function invokeWithExchange(
  opts: Pick<SageMakerExchangeOptions, 'clock' | 'responseFormat' | 'requestTimeoutMs' | 'stallTimeoutMs'>,
  observer: StreamObserver,
  signal: AbortSignal,
  send: (exchange: SageMakerExchange) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const exchange = new SageMakerExchange({
      clock: opts.clock,
      observer,
      signal,
      responseFormat: opts.responseFormat,
      requestTimeoutMs: opts.requestTimeoutMs,
      ...(opts.stallTimeoutMs !== undefined && { stallTimeoutMs: opts.stallTimeoutMs }),
      resolve,
      reject,
    });
    send(exchange);
  });
}

const EMPTY_STREAM = {
  kind: 'malformed_payload',
  code: 'empty_stream',
  message: 'event stream ended without any payload; is the payload format right for the container?',
} as const;

/** The state of one invocation. Call `start` right before sending it. */
export class SageMakerExchange {
  private readonly clock: Clock;
  private readonly obs: StreamObserver;
  private readonly aborter = new AbortController();
  private decoder: ByteStreamDecoder | undefined;
  private requestTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private eventsSeen = false;
  /** Arrival instant of the bytes being decoded: every event in them arrived then. */
  private chunkMs = 0;

  constructor(private readonly opts: SageMakerExchangeOptions) {
    this.clock = opts.clock;
    this.obs = opts.observer;
  }

  /** Aborted when the exchange ends before the transport is done: pass it to the request. */
  get abortSignal(): AbortSignal {
    return this.aborter.signal;
  }

  /** True once the exchange has ended; later transport callbacks are ignored. */
  get done(): boolean {
    return this.finished;
  }

  /** Arms the timers and the caller's signal, and reports the send instant. False if already over. */
  start(): boolean {
    if (this.opts.signal.aborted) {
      this.fail(this.clock.nowMs(), cancelled());
      return false;
    }
    this.opts.signal.addEventListener('abort', this.onAbort, { once: true });
    this.requestTimer = setTimeout(this.onTimeout, this.opts.requestTimeoutMs);
    if (this.opts.stallTimeoutMs !== undefined) this.stallTimer = setTimeout(this.onStall, this.opts.stallTimeoutMs);
    this.observe(() => this.obs.onSent(this.clock.nowMs()));
    return !this.finished;
  }

  /** The response headers arrived (status 2xx). */
  responseStart(tMs: number): void {
    if (this.finished) return;
    this.stallTimer?.refresh();
    this.observe(() => this.obs.onFirstByte(tMs));
  }

  /** Bytes arrived at `tMs` (an event, a chunk of frames): re-arms the stall timer; later events are dated `tMs`. */
  arrived(tMs: number): void {
    this.stallTimer?.refresh();
    this.chunkMs = tMs;
  }

  /** Container bytes of a streamed response (a PayloadPart's), which arrived at the last `arrived`. */
  payload(bytes: Uint8Array): void {
    if (this.finished) return;
    this.decoder ??= createResponseDecoder(this.opts.responseFormat, this.onEvent);
    const decoder = this.decoder;
    this.decode(() => decoder.push(bytes));
  }

  /** The whole body of a non-streamed response, arrived at `tMs`. */
  body(tMs: number, bytes: Uint8Array): void {
    if (this.finished) return;
    this.chunkMs = tMs;
    this.decode(() => this.onEvent(decodeWholeResponse(bytes)));
  }

  /** The response ended cleanly at `tMs`. */
  end(tMs: number): void {
    if (this.finished) return;
    this.chunkMs = tMs;
    const decoder = this.decoder;
    if (decoder !== undefined) this.decode(() => decoder.end());
    if (this.finished) return;
    if (!this.eventsSeen) {
      this.fail(tMs, new InvocationError(EMPTY_STREAM));
      return;
    }
    this.finish(() => this.obs.onEnd(tMs));
  }

  /** Ends the exchange with `err` and aborts the transport's request. */
  fail(tMs: number, err: InvocationError): void {
    if (this.finished) return;
    this.finish(() => this.obs.onError(tMs, err));
    this.aborter.abort(err);
  }

  private readonly onEvent = (event: TokenEvent): void => {
    if (this.finished) return;
    this.eventsSeen = true;
    if (event.error !== undefined) {
      this.fail(this.chunkMs, new InvocationError({ kind: 'model_stream_error', code: 'container_error', message: event.error }));
      return;
    }
    if (event.tokens > 0) this.obs.onTokens(this.chunkMs, event.tokens);
    if (event.usage) this.obs.onUsage(event.usage);
  };

  private readonly onAbort = (): void => {
    this.fail(this.clock.nowMs(), cancelled());
  };

  private readonly onTimeout = (): void => {
    this.fail(
      this.clock.nowMs(),
      new InvocationError({ kind: 'timeout', code: 'request_timeout', message: `no complete response within ${this.opts.requestTimeoutMs} ms` }),
    );
  };

  private readonly onStall = (): void => {
    this.fail(
      this.clock.nowMs(),
      new InvocationError({ kind: 'stream_stalled', code: 'stall_timeout', message: `nothing received for ${this.opts.stallTimeoutMs} ms` }),
    );
  };

  /** Runs a decoding step: an InvocationError it throws ends the exchange, anything else (an observer failure) rejects it. */
  decode(step: () => void): void {
    try {
      step();
    } catch (e: unknown) {
      if (e instanceof InvocationError) this.fail(this.chunkMs, e);
      else this.crash(e);
    }
  }

  private finish(tell: () => void): void {
    this.finished = true;
    this.detach();
    try {
      tell();
    } catch (e: unknown) {
      this.opts.reject(e);
      return;
    }
    this.opts.resolve();
  }

  private observe(call: () => void): void {
    try {
      call();
    } catch (e: unknown) {
      this.crash(e);
    }
  }

  /** The observer threw: a bug of the tool. Stop the request and reject `invoke` with it. */
  private crash(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    this.aborter.abort(e instanceof Error ? e : new Error(errorMessage(e)));
    this.opts.reject(e);
  }

  private detach(): void {
    clearTimeout(this.requestTimer);
    clearTimeout(this.stallTimer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
  }
}

function cancelled(): InvocationError {
  return new InvocationError({ kind: 'client', code: 'cancelled', message: 'request cancelled by the caller' });
}
