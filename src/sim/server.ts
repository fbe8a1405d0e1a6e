/**
 * The simulator's HTTP layer (node:http), kept thin: route, read and parse the body, draw faults, hand
 * the request to the ServingModel, and write what the model emits in the protocol's format
 * (protocols.ts). Timing lives in the model; this layer only records when bytes actually went out.
 *
 * Routes: POST /v1/chat/completions, POST /v1/completions (OpenAI-compatible, `stream` true → SSE),
 * POST /generate_stream (TGI SSE), POST /generate (TGI JSON), GET /health. Unknown path → 404,
 * wrong method → 405, unparsable or invalid body → 400, model queue full → 429; error bodies are
 * OpenAI-style `{"error":{"message","type"}}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, type Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { SimConfig } from './config.js';
import { FaultInjector, type FaultKind, type InjectedCounts } from './faults.js';
import { ServingModel, type FinishReason, type ModelHandle } from './model.js';
import { PROTOCOLS, type ApiKind, type ParsedRequest, type ResponseContext } from './protocols.js';
import { Ring } from './ring.js';
import { StreamWriter } from './stream-writer.js';

const ROUTES: Readonly<Record<string, ApiKind>> = {
  '/v1/chat/completions': 'openai_chat',
  '/v1/completions': 'openai_completions',
  '/generate_stream': 'tgi_stream',
  '/generate': 'tgi_generate',
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type ServerOutcome =
  | 'ok'
  | 'bad_request'
  | 'rejected'
  | 'http_error_injected'
  | 'disconnect_injected'
  | 'client_aborted'
  | 'server_closed';

/** One API request as the server saw it; instants from the server's clock (epoch ms). */
export interface ServerRequestRecord {
  /** Same id as the model's RequestTiming. */
  id: string;
  api: ApiKind;
  stream: boolean;
  status: number;
  receivedMs: number;
  /** Response headers flushed. */
  headersMs?: number;
  /** First token's bytes handed to the socket. */
  firstTokenWriteMs?: number;
  /** Last byte handed to the socket (res.end). */
  lastByteMs?: number;
  /** The exchange closed (finished or aborted). */
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  outcome: ServerOutcome;
  faults: FaultKind[];
}

export interface SimServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  config: SimConfig;
  /** Defaults to a RealClock; the model and the recorded instants use it. */
  clock?: Clock;
}

export interface SimServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** The clock's instant at start; stall windows are measured from it. */
  startedMs: number;
  model: ServingModel;
  /** Server-side records of finished exchanges, oldest first, bounded by model.groundTruthLimit. */
  groundTruth(): ServerRequestRecord[];
  injected(): InjectedCounts;
  /** Closes the model and every connection. */
  close(): Promise<void>;
}

/** Starts the simulated endpoint on `host:port` (127.0.0.1, a free port by default). */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const { config } = options;
  const clock = options.clock ?? new RealClock();
  const model = new ServingModel(config.model, clock, config.seed);
  const startedMs = clock.nowMs();
  const faults = new FaultInjector(config.faults, config.seed, startedMs);
  const records = new Ring<ServerRequestRecord>(config.model.groundTruthLimit);
  let nextId = 1;
  let closing = false;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(`simulator failure: ${errorMessage(e)}`, 'internal_error'));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => socket.setNoDelay(true));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health') {
      sendJson(res, req.method === 'GET' || req.method === 'HEAD' ? 200 : 405, { status: 'ok' });
      return;
    }
    const api = ROUTES[path];
    if (api === undefined) {
      sendJson(res, 404, errorBody(`no route for ${req.method ?? '?'} ${path}`, 'not_found'));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorBody(`${path} accepts POST only`, 'method_not_allowed'));
      return;
    }
    const record: ServerRequestRecord = {
      id: `sim-${nextId++}`,
      api,
      stream: false,
      status: 0,
      receivedMs: clock.nowMs(),
      endMs: Number.NaN,
      inputTokens: 0,
      outputTokens: 0,
      outcome: 'ok',
      faults: [],
    };
    let modelHandle: ModelHandle | undefined;
    res.on('close', () => {
      if (!res.writableFinished) {
        modelHandle?.cancel();
        if (record.outcome === 'ok') record.outcome = closing ? 'server_closed' : 'client_aborted';
      }
      record.status = res.statusCode;
      record.endMs = clock.nowMs();
      records.push(record);
    });

    const body = await readJson(req);
    if (!body.ok) {
      record.outcome = 'bad_request';
      sendJson(res, body.status, errorBody(body.message, 'invalid_request_error'));
      return;
    }
    const protocol = PROTOCOLS[api];
    const parsed = protocol.parse(body.value);
    if (!parsed.ok) {
      record.outcome = 'bad_request';
      sendJson(res, 400, errorBody(parsed.message, 'invalid_request_error'));
      return;
    }
    const request = parsed.request;
    record.stream = request.stream;
    record.inputTokens = request.inputTokens;

    const plan = faults.plan();
    if (plan.httpErrorStatus !== undefined) {
      inject('httpErrors');
      record.outcome = 'http_error_injected';
      sendJson(res, plan.httpErrorStatus, errorBody('injected fault', 'injected_http_error'));
      return;
    }

    const ctx = responseContext(record.id, api, request);
    const maxOutputTokens = request.maxTokens ?? config.server.defaultMaxTokens;
    let rejected = false;
    const onRejected = (): void => {
      rejected = true;
    };

    if (!request.stream) {
      modelHandle = model.submit(
        { id: record.id, inputTokens: request.inputTokens, maxOutputTokens },
        {
          onRejected,
          onToken: () => undefined,
          onEnd: (_tMs, info) => {
            record.outputTokens = info.outputTokens;
            sendJson(res, 200, protocol.completeBody(ctx, info.outputTokens, info.finishReason));
            record.headersMs = record.lastByteMs = clock.nowMs();
          },
        },
      );
      if (rejected) rejectOverloaded();
      return;
    }

    const writer = new StreamWriter(res, clock, {
      onWritten: (tMs, token) => {
        if (token && record.firstTokenWriteMs === undefined) record.firstTokenWriteMs = tMs;
      },
      onEnded: (tMs) => {
        record.lastByteMs = tMs;
      },
      holdUntil: (tMs) => {
        const untilMs = faults.windowEndAt(tMs);
        if (untilMs !== undefined && !record.faults.includes('windowStalls')) inject('windowStalls');
        return untilMs;
      },
    });
    const afterToken = (written: number): boolean => {
      if (plan.malformedAfterTokens === written) {
        inject('malformed');
        writer.write(protocol.malformedEvent, false);
      }
      if (plan.stallAfterTokens === written) {
        inject('stalls');
        writer.hold(clock.nowMs() + faults.stallDurationMs);
      }
      if (plan.disconnectAfterTokens === written) {
        inject('disconnects');
        record.outcome = 'disconnect_injected';
        modelHandle?.cancel();
        // destroySoon: the bytes already written still go out, then the socket closes mid-response.
        if (res.socket) res.socket.destroySoon();
        else res.destroy();
        return false;
      }
      return true;
    };
    let open = true;
    modelHandle = model.submit(
      { id: record.id, inputTokens: request.inputTokens, maxOutputTokens },
      {
        onRejected,
        onToken: (_tMs, index, finish?: FinishReason) => {
          if (!open) return;
          record.outputTokens = index + 1;
          writer.write(protocol.tokenEvent(ctx, index, finish), true);
          open = afterToken(index + 1);
        },
        onEnd: (_tMs, info) => {
          if (!open) return;
          writer.write(protocol.closingEvents(ctx, info.outputTokens), false);
          writer.end();
        },
      },
    );
    if (rejected) {
      rejectOverloaded();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    record.headersMs = clock.nowMs();

    function rejectOverloaded(): void {
      record.outcome = 'rejected';
      sendJson(res, 429, errorBody('Model is overloaded: queue full', 'overloaded'));
    }

    function inject(kind: FaultKind): void {
      faults.count(kind);
      record.faults.push(kind);
    }
  }

  function responseContext(id: string, api: ApiKind, request: ParsedRequest): ResponseContext {
    const prefix = api === 'openai_chat' ? 'chatcmpl' : 'cmpl';
    return {
      id: `${prefix}-${id}`,
      model: request.model ?? config.server.modelName,
      createdS: Math.floor(clock.nowMs() / 1000),
      tokenTextMode: config.server.tokenTextMode,
      inputTokens: request.inputTokens,
      includeUsage: request.includeUsage,
      details: request.details,
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    startedMs,
    model,
    groundTruth: () => records.toArray(),
    injected: () => faults.injected(),
    close: async () => {
      closing = true;
      model.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

async function readJson(req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return { ok: false, status: 413, message: `body larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch (e: unknown) {
    return { ok: false, status: 400, message: `invalid JSON body: ${errorMessage(e)}` };
  }
}

function errorBody(message: string, type: string): { error: { message: string; type: string } } {
  return { error: { message, type } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
