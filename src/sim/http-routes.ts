/**
 * The OpenAI-compatible and TGI routes: POST /v1/chat/completions, POST /v1/completions (`stream`
 * true → SSE), POST /generate_stream (TGI SSE), POST /generate (TGI JSON). Unknown path → 404,
 * wrong method → 405, unparsable or invalid body → 400, model queue full → 429; error bodies are
 * OpenAI-style `{"error":{"message","type"}}`.
 *
 * Faults: a pre-response fault answers its SageMaker status as a plain HTTP status (a modelError
 * answers its originalStatusCode: there is no SageMaker in front), with `type` the fault's kind;
 * mid-stream, invalidJson, stall, slowTokens and disconnect apply; frame faults and in-stream
 * exceptions do not (SSE has no frames).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimConfig } from './config.js';
import { Exchange, readJson, sendJson, type ExchangeEnv, type Framing } from './exchange.js';
import type { ServingModel } from './model.js';
import { PROTOCOLS, responseContext, type ApiKind } from './protocols.js';
import { faultError, RUNTIME_ERROR_STATUS } from './runtime-errors.js';

const ROUTES: Readonly<Record<string, ApiKind>> = {
  '/v1/chat/completions': 'openai_chat',
  '/v1/completions': 'openai_completions',
  '/generate_stream': 'tgi_stream',
  '/generate': 'tgi_generate',
};

const SSE: Framing = {
  streamHeaders: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  encode: (text) => [text],
};

export interface HttpRouteDeps {
  env: ExchangeEnv;
  config: SimConfig;
  model: ServingModel;
  nextId(): string;
}

const errorBody = (message: string, type: string): { error: { message: string; type: string } } => ({ error: { message, type } });

/** The handler of every non-SageMaker path. */
export function httpRoutes(deps: HttpRouteDeps) {
  const { env, config, model } = deps;

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
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
    const exchange = new Exchange(res, deps.nextId(), api, env);
    const { record } = exchange;
    const body = await readJson(req);
    if (!body.ok) {
      record.outcome = 'bad_request';
      exchange.sendJson(body.status, errorBody(body.message, 'invalid_request_error'));
      return;
    }
    const protocol = PROTOCOLS[api];
    const parsed = protocol.parse(body.value);
    if (!parsed.ok) {
      record.outcome = 'bad_request';
      exchange.sendJson(400, errorBody(parsed.message, 'invalid_request_error'));
      return;
    }
    const request = parsed.request;
    record.stream = request.stream;
    record.inputTokens = request.inputTokens;

    const { preResponse, midStream } = env.faults.plan(env.clock.nowMs());
    if (preResponse !== undefined) {
      exchange.inject(preResponse.kind);
      record.outcome = 'error_injected';
      const error = faultError(preResponse, config.server.modelName, config.sagemaker);
      const status = preResponse.kind === 'modelError' ? preResponse.originalStatusCode : RUNTIME_ERROR_STATUS[error.type];
      exchange.sendJson(status, errorBody(error.message, preResponse.kind));
      return;
    }

    const generation = {
      model,
      protocol,
      ctx: responseContext(record.id, protocol, request, config.server, Math.floor(env.clock.nowMs() / 1000)),
      maxOutputTokens: request.maxTokens ?? config.server.defaultMaxTokens,
      onRejected: () => {
        record.outcome = 'rejected';
        exchange.sendJson(429, errorBody('Model is overloaded: queue full', 'overloaded'));
      },
    };
    if (request.stream) exchange.serveStream(generation, midStream, SSE);
    else exchange.serveComplete(generation, {});
  };
}
