/**
 * The HTTP target: OpenAI-compatible (chat, completions) and TGI servers over undici.
 *
 * Connections: one undici Pool per invoker with `connections = maxConnections` and pipelining 1,
 * so each in-flight request owns a keep-alive socket and none waits in undici's queue once the
 * pool is warm (DESIGN invariant 5; the runner keeps in-flight ≤ maxConnections). Undici never
 * retries a POST, and we add no retry.
 *
 * Undici API: `Pool.dispatch` with a handler (HttpExchange), rather than `request` and async
 * iteration of the body. The handler gets each chunk straight from the HTTP parser: no Readable,
 * no async iterator, no promise per chunk; one clock read per chunk, and the decoder runs
 * synchronously in that callback. At 1000 streams × 20 tok/s this is the hot path.
 *
 * Timeouts: `requestTimeoutMs` covers the whole request, from send to the end of the body (one
 * timer per request). `stallTimeoutMs` bounds any silence of the server: waiting for the response
 * headers, and any gap between body chunks, including before the first one (undici's
 * `headersTimeout` and `bodyTimeout`, on undici's coarse timer: they fire up to ~1 s late). A
 * server that queues a request after sending its headers is silent meanwhile, so the stall
 * timeout must exceed the worst time to first token you accept.
 */
import { Pool } from 'undici';
import type { Clock } from '../lib/clock.js';
import { STREAM_FORMATS } from '../stream/formats/index.js';
import { HTTP_APIS, type HttpApi } from './http-api.js';
import { HttpExchange } from './http-exchange.js';
import type { InferenceRequest, Invoker, StreamObserver } from './types.js';

export { probeTarget } from './http-probe.js';
export type { HttpApi } from './http-api.js';

export interface HttpInvokerOptions {
  /** Server root, e.g. http://127.0.0.1:8000; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  api: HttpApi;
  /** Sent as `model` to OpenAI-compatible servers; omitted when undefined. */
  model?: string;
  clock: Clock;
  /** Pool size; must be at least the runner's in-flight limit. */
  maxConnections: number;
  /** Whole-request limit, from send to the end of the stream. */
  requestTimeoutMs: number;
  /** Longest silence of the server before the request counts as `stream_stalled`; none when undefined. */
  stallTimeoutMs?: number;
  /** Extra request headers (authorization…). */
  headers?: Record<string, string>;
}


/** An Invoker for an HTTP inference server. `close` ends the pool's connections. */
export function createHttpInvoker(opts: HttpInvokerOptions): Invoker {
  const url = new URL(opts.baseUrl);
  const api = HTTP_APIS[opts.api];
  const format = STREAM_FORMATS[api.format];
  const path = url.pathname.replace(/\/+$/, '') + api.path;
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream', ...opts.headers };
  const stallMs = opts.stallTimeoutMs ?? 0;
  const pool = new Pool(url.origin, { connections: opts.maxConnections, pipelining: 1 });

  return {
    invoke(req: InferenceRequest, observer: StreamObserver, signal: AbortSignal): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const exchange = new HttpExchange({
          clock: opts.clock,
          observer,
          format,
          signal,
          requestTimeoutMs: opts.requestTimeoutMs,
          resolve,
          reject,
        });
        const body = JSON.stringify(api.body(req, opts.model));
        exchange.start();
        if (exchange.done) return;
        pool.dispatch({ method: 'POST', path, headers, body, headersTimeout: stallMs, bodyTimeout: stallMs }, exchange);
      });
    },
    close: () => pool.close(),
  };
}
