/**
 * One streamed HTTP request from dispatch to its single end (onEnd or onError), as an undici
 * dispatch handler: undici hands us each body chunk as it is read from the socket, with no
 * Readable stream or async iterator in between, and we decode it in place.
 *
 * Every way the exchange can end goes through `finish`, which runs once: it clears the request
 * timer, detaches from the caller's signal, tells the observer, and resolves `invoke`. Failures
 * found on our side (decode error, in-stream error, timeout, cancel) abort the undici request,
 * which destroys the socket, so an unread body never lingers on a pooled connection. Error
 * responses (non-2xx) are read to the end instead: they are small, and keeping the connection
 * alive matters when a throttling storm answers thousands of requests with 429.
 *
 * A 2xx stream must close with its format's end marker (OpenAI `[DONE]`, TGI's final event):
 * every server we know sends it, and a stream cut cleanly before it is a truncated answer, not a
 * success.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { createSseDecoder, type ByteStreamDecoder } from '../stream/decode.js';
import type { StreamFormat, TokenEvent } from '../stream/formats/index.js';
import { classifyHttpStatus, classifyTransportError } from './http-errors.js';
import { InvocationError, type RequestError, type StreamObserver } from './types.js';

/** Bytes of an error response body kept for the message. */
const ERROR_BODY_LIMIT = 1024;

/** What one exchange needs; `resolve` and `reject` settle the `invoke` promise. */
export interface ExchangeOptions {
  clock: Clock;
  observer: StreamObserver;
  format: StreamFormat;
  signal: AbortSignal;
  requestTimeoutMs: number;
  resolve: () => void;
  /** Called instead of `resolve` when the observer itself throws: a failure of the tool, not of the request. */
  reject: (err: unknown) => void;
}

const EMPTY_STREAM: RequestError = {
  kind: 'malformed_payload',
  code: 'empty_stream',
  message: 'response ended without any stream event; is this the right API for the server?',
};
const INCOMPLETE_STREAM: RequestError = {
  kind: 'malformed_payload',
  code: 'incomplete_stream',
  message: 'response ended before the end-of-stream event',
};

function cancelled(): InvocationError {
  return new InvocationError({ kind: 'client', code: 'cancelled', message: 'request cancelled by the caller' });
}

/** The dispatch handler of one request. Call `start` right before dispatching it. */
export class HttpExchange implements Dispatcher.DispatchHandler {
  private readonly clock: Clock;
  private readonly obs: StreamObserver;
  private readonly decoder: ByteStreamDecoder;
  private controller: Dispatcher.DispatchController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private status = 0;
  private firstByteSeen = false;
  private eventsSeen = false;
  private endMarkerSeen = false;
  /** Arrival instant of the chunk being decoded: every event in it arrived then. */
  private chunkMs = 0;
  private errorBody: Buffer[] = [];
  private errorBodyLength = 0;

  constructor(private readonly opts: ExchangeOptions) {
    this.clock = opts.clock;
    this.obs = opts.observer;
    this.decoder = createSseDecoder(opts.format, (event) => this.onEvent(event));
  }

  /** Arms the request timeout and the caller's signal, and reports the send instant. */
  start(): void {
    if (this.opts.signal.aborted) {
      this.fail(this.clock.nowMs(), cancelled());
      return;
    }
    this.opts.signal.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(this.onTimeout, this.opts.requestTimeoutMs);
    this.observe(() => this.obs.onSent(this.clock.nowMs()));
  }

  /** True once the exchange has ended; later callbacks from undici are ignored. */
  get done(): boolean {
    return this.finished;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Ended while undici was still connecting: drop the request now that we can.
    if (this.finished) controller.abort(cancelled());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return;
    const tMs = this.clock.nowMs();
    if (!this.firstByteSeen) {
      this.firstByteSeen = true;
      this.observe(() => this.obs.onFirstByte(tMs));
    }
    if (this.status >= 200 && this.status < 300) {
      this.chunkMs = tMs;
      this.decodeOrFail(() => this.decoder.push(chunk));
    } else if (this.errorBodyLength < ERROR_BODY_LIMIT) {
      this.errorBody.push(chunk);
      this.errorBodyLength += chunk.length;
    }
  }

  onResponseEnd(): void {
    if (this.finished) return;
    const tMs = this.clock.nowMs();
    if (this.status < 200 || this.status >= 300) {
      const body = Buffer.concat(this.errorBody).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
      this.fail(tMs, classifyHttpStatus(this.status, body));
      return;
    }
    this.chunkMs = tMs;
    this.decodeOrFail(() => this.decoder.end());
    if (this.finished) return;
    if (!this.endMarkerSeen) {
      this.fail(tMs, new InvocationError(this.eventsSeen ? INCOMPLETE_STREAM : EMPTY_STREAM));
      return;
    }
    this.finish(() => this.obs.onEnd(tMs));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    this.fail(this.clock.nowMs(), classifyTransportError(err));
  }

  private readonly onAbort = (): void => {
    this.fail(this.clock.nowMs(), cancelled());
  };

  private readonly onTimeout = (): void => {
    this.fail(
      this.clock.nowMs(),
      new InvocationError({ kind: 'timeout', code: 'request_timeout', message: `no complete response within ${this.opts.requestTimeoutMs} ms` }),
    );
  };

  private onEvent(event: TokenEvent): void {
    if (this.finished) return;
    this.eventsSeen = true;
    if (event.error !== undefined) {
      this.fail(this.chunkMs, new InvocationError({ kind: 'model_stream_error', message: event.error }));
      return;
    }
    if (event.tokens > 0) this.obs.onTokens(this.chunkMs, event.tokens);
    if (event.usage) this.obs.onUsage(event.usage);
    if (event.done) this.endMarkerSeen = true;
  }

  /** Runs a decoder step; a decode failure ends the exchange, an observer failure rejects it. */
  private decodeOrFail(step: () => void): void {
    try {
      step();
    } catch (e: unknown) {
      if (e instanceof InvocationError) this.fail(this.chunkMs, e);
      else this.crash(e);
    }
  }

  /** Ends the exchange with `err`, aborting the undici request if it is still running. */
  private fail(tMs: number, err: InvocationError): void {
    if (this.finished) return;
    this.finish(() => this.obs.onError(tMs, err));
    this.controller?.abort(err);
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
    this.controller?.abort(e instanceof Error ? e : new Error(errorMessage(e)));
    this.opts.reject(e);
  }

  private detach(): void {
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
  }
}
