/**
 * A scriptable HTTP server for tests, on 127.0.0.1 and a free port.
 *
 * Each request is answered by a script: a list of steps played in order.
 *
 * ```ts
 * const server = await startFixtureServer((req, index) => [
 *   { wait: 2000 },                      // say nothing for 2 s (a stalled or queueing server)
 *   { status: 200 },                     // status line and headers (SSE headers by default)
 *   { write: 'data: {"token":…}\n\n' },  // body bytes, sent as one write
 *   { wait: 50 },
 *   { write: new Uint8Array([0xe2]) },   // bytes anywhere, even inside a UTF-8 character
 *   'end',                               // or 'destroy': drop the socket (a mid-stream reset)
 * ]);
 * // … server.url, server.requests, server.maxInFlight, server.connections …
 * await server.close();
 * ```
 *
 * A script that stops without 'end' or 'destroy' leaves the response open (a stall) until the
 * client gives up or the server closes. A `write` before any `status` implies status 200.
 * 'destroy' before any `status` drops the connection without a response.
 *
 * Builders below produce scripts for common cases: `sseScript` (events with a gap between them),
 * `splitScript` (one body cut at given byte positions), and payloads of OpenAI and TGI streams.
 * Time here is real time (timers): the server is a real peer on a real socket.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One step of a response script. */
export type FixtureStep =
  | { wait: number }
  | { status: number; headers?: Record<string, string> }
  | { write: string | Uint8Array }
  | 'end'
  | 'destroy';

/** A request as the server received it. */
export interface FixtureRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Chooses the script for a request; `index` counts requests from 0. */
export type FixtureHandler = (req: FixtureRequest, index: number) => FixtureStep[] | Promise<FixtureStep[]>;

export interface FixtureServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Every request received so far, in arrival order. */
  requests: FixtureRequest[];
  /** Responses currently open. */
  readonly inFlight: number;
  /** Most responses open at once since start. */
  readonly maxInFlight: number;
  /** TCP connections accepted since start (keep-alive reuse keeps this low). */
  readonly connections: number;
  /** Drops every open connection (hanging responses included) and stops listening. */
  close(): Promise<void>;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** Starts a server answering every request with `script` (a fixed script or a handler). */
export async function startFixtureServer(script: FixtureHandler | FixtureStep[]): Promise<FixtureServer> {
  const handler: FixtureHandler = typeof script === 'function' ? script : () => script;
  const stopping = new AbortController();
  const requests: FixtureRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;

  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: FixtureRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(request) - 1;
      void (async () => {
        await play(await handler(request, index), res, stopping.signal);
      })().catch((e: unknown) => {
        if (!stopping.signal.aborted) res.destroy(e instanceof Error ? e : new Error(String(e)));
      });
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get connections() {
      return connections;
    },
    async close() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function play(steps: FixtureStep[], res: ServerResponse, signal: AbortSignal): Promise<void> {
  for (const step of steps) {
    if (res.destroyed) return;
    if (step === 'end') {
      if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
      res.end();
    } else if (step === 'destroy') {
      res.socket?.destroy();
    } else if ('wait' in step) {
      await sleep(step.wait, undefined, { signal });
    } else if ('status' in step) {
      res.writeHead(step.status, step.headers ?? SSE_HEADERS);
      res.flushHeaders();
    } else {
      if (!res.headersSent) res.writeHead(200, SSE_HEADERS);
      // Wait until the bytes are handed to the socket, so a 'destroy' right after cannot drop them.
      await new Promise<void>((resolve) => res.write(step.write, () => resolve()));
    }
  }
}

// ---- script builders -------------------------------------------------------------------------

/** Options of `sseScript`. */
export interface SseScriptOptions {
  /** Pause before each event after the first; default 0. */
  gapMs?: number;
  /** Pause before the headers; default 0. */
  headersDelayMs?: number;
  /** Line terminator; default '\n'. */
  eol?: '\n' | '\r\n';
  /** Leave out the blank line between events (servers that do so); default false. */
  noBlankLines?: boolean;
  /** How the response finishes after the events; default 'end'. 'hang' leaves it open. */
  finish?: 'end' | 'destroy' | 'hang';
}

/**
 * A 200 SSE response with one `data:` event per payload (objects are JSON-encoded, strings sent
 * as they are, e.g. '[DONE]'), each in its own write.
 */
export function sseScript(payloads: ReadonlyArray<string | object>, options: SseScriptOptions = {}): FixtureStep[] {
  const { gapMs = 0, headersDelayMs = 0, finish = 'end' } = options;
  const steps: FixtureStep[] = [];
  if (headersDelayMs > 0) steps.push({ wait: headersDelayMs });
  steps.push({ status: 200 });
  payloads.forEach((payload, i) => {
    if (i > 0 && gapMs > 0) steps.push({ wait: gapMs });
    steps.push({ write: sseEvent(payload, options) });
  });
  if (finish !== 'hang') steps.push(finish);
  return steps;
}

/** The text of one SSE event carrying `payload`. */
export function sseEvent(payload: string | object, options: Pick<SseScriptOptions, 'eol' | 'noBlankLines'> = {}): string {
  const { eol = '\n', noBlankLines = false } = options;
  const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return `data: ${data}${eol}${noBlankLines ? '' : eol}`;
}

/** A 200 response whose body is `body` cut at the given byte positions, `gapMs` between pieces. */
export function splitScript(body: string | Uint8Array, positions: readonly number[], gapMs = 0): FixtureStep[] {
  const steps: FixtureStep[] = [{ status: 200 }];
  splitBytes(body, positions).forEach((piece, i) => {
    if (i > 0 && gapMs > 0) steps.push({ wait: gapMs });
    steps.push({ write: piece });
  });
  steps.push('end');
  return steps;
}

/** `body` as bytes, cut at the given (sorted, in-range) byte positions. */
export function splitBytes(body: string | Uint8Array, positions: readonly number[]): Uint8Array[] {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const at of [...positions, bytes.length]) {
    pieces.push(bytes.subarray(start, at));
    start = at;
  }
  return pieces;
}

// ---- payloads of real servers ----------------------------------------------------------------

/** Token usage as a server reports it at the end. */
export interface FixtureUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * An OpenAI chat stream: a role-only chunk, one content chunk per text, a finish chunk, a usage
 * chunk when `usage` is given, then '[DONE]'.
 */
export function openaiChatPayloads(texts: readonly string[], usage?: FixtureUsage): Array<string | object> {
  const chunk = (delta: object, finishReason: string | null = null): object => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'fixture',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  return [
    chunk({ role: 'assistant', content: '' }),
    ...texts.map((content) => chunk({ content })),
    chunk({}, 'length'),
    ...usageChunk('chat.completion.chunk', usage),
    '[DONE]',
  ];
}

/** An OpenAI completions stream: one chunk per text, a usage chunk when given, then '[DONE]'. */
export function openaiCompletionPayloads(texts: readonly string[], usage?: FixtureUsage): Array<string | object> {
  return [
    ...texts.map((text, i) => ({
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'fixture',
      choices: [{ index: 0, text, finish_reason: i === texts.length - 1 ? 'length' : null }],
    })),
    ...usageChunk('text_completion', usage),
    '[DONE]',
  ];
}

function usageChunk(object: string, usage: FixtureUsage | undefined): object[] {
  if (!usage) return [];
  const { promptTokens, completionTokens } = usage;
  return [
    {
      id: 'x-1',
      object,
      model: 'fixture',
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  ];
}

/**
 * A TGI /generate_stream: one event per token; the last one, a special `</s>` token, carries
 * `generated_text` and `details` (generated_tokens counts every event, as TGI does).
 */
export function tgiPayloads(texts: readonly string[], inputLength?: number): object[] {
  const token = (id: number, text: string, special: boolean): object => ({ id, text, logprob: -0.5, special });
  const events: object[] = texts.map((text, i) => ({ index: i + 1, token: token(i + 10, text, false), generated_text: null, details: null }));
  events.push({
    index: texts.length + 1,
    token: token(2, '</s>', true),
    generated_text: texts.join(''),
    details: {
      finish_reason: 'eos_token',
      generated_tokens: texts.length + 1,
      seed: null,
      ...(inputLength !== undefined && { input_length: inputLength }),
    },
  });
  return events;
}
