/**
 * The wire formats the simulator speaks over HTTP, as pure functions: request bodies in, response
 * bodies and SSE events out. One entry per API in `PROTOCOLS`; server.ts maps paths to them.
 *
 * - OpenAI-compatible (vLLM-like) `/v1/chat/completions` and `/v1/completions`: SSE `data: {json}\n\n`,
 *   one chunk per token (the first chat chunk's delta also carries `role: "assistant"`), the last token's
 *   chunk carries `finish_reason`; with `stream_options.include_usage` every chunk has `usage: null` and a
 *   final chunk has empty `choices` and the usage; then `data: [DONE]`.
 * - TGI `/generate_stream`: SSE `data:{json}\n\n` per token; the last carries `generated_text` and
 *   `details`. TGI `/generate`: one JSON object, `details` only when `parameters.details` is true.
 */
import { z } from 'zod';
import type { TokenTextMode } from './config.js';
import type { FinishReason } from './model.js';
import { estimateInputTokens, tokenId, tokenText } from './tokens.js';

export type ApiKind = 'openai_chat' | 'openai_completions' | 'tgi_stream' | 'tgi_generate';

/** What the server needs from a request body. */
export interface ParsedRequest {
  inputTokens: number;
  /** Absent: the server's default. */
  maxTokens?: number;
  stream: boolean;
  includeUsage: boolean;
  /** TGI `parameters.details`. */
  details: boolean;
  model?: string;
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; message: string };

/** Per-response constants for the encoders. */
export interface ResponseContext {
  id: string;
  model: string;
  createdS: number;
  tokenTextMode: TokenTextMode;
  inputTokens: number;
  includeUsage: boolean;
  details: boolean;
}

export interface Protocol {
  /** Response ids are `<idPrefix>-<request id>`. */
  idPrefix: string;
  parse(body: unknown): ParseResult;
  /** The SSE event for token `index`; `finish` is set on the last token. */
  tokenEvent(ctx: ResponseContext, index: number, finish?: FinishReason): string;
  /** What follows the last token event (usage chunk, [DONE]); may be empty. */
  closingEvents(ctx: ResponseContext, outputTokens: number): string;
  /** A line of invalid JSON in this protocol's framing, for the `malformed` fault. */
  malformedEvent: string;
  /** The non-streaming response body. */
  completeBody(ctx: ResponseContext, outputTokens: number, finish: FinishReason): unknown;
}

/** A request's optional output-token limit, as every format spells it. */
export const maxTokens = z.number().int().min(1).optional();
const streamOptions = z.object({ include_usage: z.boolean().optional() }).nullish();

const textPart = z.object({ type: z.string().optional(), text: z.string().optional() });
const chatBody = z.object({
  model: z.string().optional(),
  messages: z
    .array(z.object({ role: z.string(), content: z.union([z.string(), z.array(textPart), z.null()]).optional() }))
    .min(1),
  max_tokens: maxTokens,
  max_completion_tokens: maxTokens,
  stream: z.boolean().optional(),
  stream_options: streamOptions,
});
const completionsBody = z.object({
  model: z.string().optional(),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  max_tokens: maxTokens,
  stream: z.boolean().optional(),
  stream_options: streamOptions,
});
const tgiBody = z.object({
  inputs: z.string(),
  parameters: z.object({ max_new_tokens: maxTokens, details: z.boolean().optional() }).optional(),
});

/** Validates `body` with `schema` and maps it to a ParsedRequest; the message names the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown, toRequest: (b: T) => ParsedRequest): ParseResult {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, request: toRequest(result.data) };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return { ok: false, message: `${field}: ${issue?.message ?? 'invalid request body'}` };
}

function contentChars(content: z.infer<typeof chatBody>['messages'][number]['content']): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) return content.reduce((sum, part) => sum + (part.text?.length ?? 0), 0);
  return 0;
}

/** Only defined keys, so `undefined` never reaches a ParsedRequest's optional fields. */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function sse(json: unknown, space: boolean): string {
  return `data:${space ? ' ' : ''}${JSON.stringify(json)}\n\n`;
}

/** The text of the first `outputTokens` tokens. */
export function fullText(ctx: ResponseContext, outputTokens: number): string {
  let text = '';
  for (let i = 0; i < outputTokens; i++) text += tokenText(ctx.tokenTextMode, i);
  return text;
}

function usage(ctx: ResponseContext, outputTokens: number): Record<string, number> {
  return { prompt_tokens: ctx.inputTokens, completion_tokens: outputTokens, total_tokens: ctx.inputTokens + outputTokens };
}

function openaiClosing(object: string): Protocol['closingEvents'] {
  return (ctx, outputTokens) => {
    const usageChunk = ctx.includeUsage
      ? sse({ id: ctx.id, object, created: ctx.createdS, model: ctx.model, choices: [], usage: usage(ctx, outputTokens) }, true)
      : '';
    return `${usageChunk}data: [DONE]\n\n`;
  };
}

function openaiChunk(ctx: ResponseContext, object: string, choice: Record<string, unknown>): string {
  return sse(
    {
      id: ctx.id,
      object,
      created: ctx.createdS,
      model: ctx.model,
      choices: [{ index: 0, ...choice }],
      ...(ctx.includeUsage && { usage: null }),
    },
    true,
  );
}

/** Hugging Face containers' (TGI, LMI) finish_reason. */
export const tgiFinish = (finish: FinishReason): string => (finish === 'stop' ? 'eos_token' : 'length');

function tgiDetails(ctx: ResponseContext, outputTokens: number, finish: FinishReason): Record<string, unknown> {
  return { finish_reason: tgiFinish(finish), generated_tokens: outputTokens, seed: null, input_length: ctx.inputTokens };
}

const openaiChat: Protocol = {
  idPrefix: 'chatcmpl',
  parse: (body) =>
    parseWith(chatBody, body, (b) => ({
      inputTokens: estimateInputTokens(b.messages.reduce((sum, m) => sum + contentChars(m.content), 0)),
      ...optional('maxTokens', b.max_completion_tokens ?? b.max_tokens),
      stream: b.stream ?? false,
      includeUsage: b.stream_options?.include_usage ?? false,
      details: false,
      ...optional('model', b.model),
    })),
  tokenEvent: (ctx, index, finish) =>
    openaiChunk(ctx, 'chat.completion.chunk', {
      delta: { ...(index === 0 && { role: 'assistant' }), content: tokenText(ctx.tokenTextMode, index) },
      logprobs: null,
      finish_reason: finish ?? null,
    }),
  closingEvents: openaiClosing('chat.completion.chunk'),
  malformedEvent: 'data: {"object":"chat.completion.chunk","choices":[{"delta":{"content":\n\n',
  completeBody: (ctx, outputTokens, finish) => ({
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.createdS,
    model: ctx.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: fullText(ctx, outputTokens) }, logprobs: null, finish_reason: finish },
    ],
    usage: usage(ctx, outputTokens),
  }),
};

const openaiCompletions: Protocol = {
  idPrefix: 'cmpl',
  parse: (body) =>
    parseWith(completionsBody, body, (b) => ({
      inputTokens: estimateInputTokens((typeof b.prompt === 'string' ? b.prompt : (b.prompt[0] ?? '')).length),
      ...optional('maxTokens', b.max_tokens),
      stream: b.stream ?? false,
      includeUsage: b.stream_options?.include_usage ?? false,
      details: false,
      ...optional('model', b.model),
    })),
  tokenEvent: (ctx, index, finish) =>
    openaiChunk(ctx, 'text_completion', {
      text: tokenText(ctx.tokenTextMode, index),
      logprobs: null,
      finish_reason: finish ?? null,
    }),
  closingEvents: openaiClosing('text_completion'),
  malformedEvent: 'data: {"object":"text_completion","choices":[{"text":\n\n',
  completeBody: (ctx, outputTokens, finish) => ({
    id: ctx.id,
    object: 'text_completion',
    created: ctx.createdS,
    model: ctx.model,
    choices: [{ index: 0, text: fullText(ctx, outputTokens), logprobs: null, finish_reason: finish }],
    usage: usage(ctx, outputTokens),
  }),
};

function tgiParse(stream: boolean): Protocol['parse'] {
  return (body) =>
    parseWith(tgiBody, body, (b) => ({
      inputTokens: estimateInputTokens(b.inputs.length),
      ...optional('maxTokens', b.parameters?.max_new_tokens),
      stream,
      includeUsage: false,
      details: b.parameters?.details ?? false,
    }));
}

const tgiShared = {
  idPrefix: 'cmpl',
  tokenEvent: (ctx: ResponseContext, index: number, finish?: FinishReason) =>
    sse(
      {
        index,
        token: { id: tokenId(ctx.tokenTextMode, index), text: tokenText(ctx.tokenTextMode, index), logprob: -0.25, special: false },
        generated_text: finish === undefined ? null : fullText(ctx, index + 1),
        details: finish === undefined ? null : tgiDetails(ctx, index + 1, finish),
      },
      false,
    ),
  closingEvents: () => '',
  malformedEvent: 'data:{"token":{"id":\n\n',
  completeBody: (ctx: ResponseContext, outputTokens: number, finish: FinishReason) => ({
    generated_text: fullText(ctx, outputTokens),
    ...(ctx.details && { details: tgiDetails(ctx, outputTokens, finish) }),
  }),
};

/** Per-response constants for request `id` (the model name falls back to the server's). */
export function responseContext(
  id: string,
  protocol: Protocol,
  request: ParsedRequest,
  server: { modelName: string; tokenTextMode: TokenTextMode },
  createdS: number,
): ResponseContext {
  return {
    id: `${protocol.idPrefix}-${id}`,
    model: request.model ?? server.modelName,
    createdS,
    tokenTextMode: server.tokenTextMode,
    inputTokens: request.inputTokens,
    includeUsage: request.includeUsage,
    details: request.details,
  };
}

/** Every API the simulator serves, by kind. */
export const PROTOCOLS = {
  openai_chat: openaiChat,
  openai_completions: openaiCompletions,
  tgi_stream: { parse: tgiParse(true), ...tgiShared },
  tgi_generate: { parse: tgiParse(false), ...tgiShared },
} satisfies Record<ApiKind, Protocol>;
