/**
 * The HTTP APIs an endpoint can speak: where to POST, what body to send, which container format
 * the streamed reply uses. Adding an API is adding one entry.
 *
 * Bodies are the standard ones (no `ignore_eos` or other server-specific knobs), so any compliant
 * server accepts them; `max_tokens` is a ceiling and the server may stop earlier.
 */
import type { StreamFormatName } from '../stream/formats/index.js';
import type { InferenceRequest } from './types.js';

interface HttpApiSpec {
  /** Path appended to the base URL. */
  path: string;
  format: StreamFormatName;
  body(req: InferenceRequest, model: string | undefined): object;
}

/** Asks OpenAI-compatible servers for a final chunk with the token usage. */
const INCLUDE_USAGE = { include_usage: true } as const;

export const HTTP_APIS = {
  'openai-chat': {
    path: '/v1/chat/completions',
    format: 'openai',
    body: (req, model) => ({
      ...(model !== undefined && { model }),
      messages: [{ role: 'user', content: req.prompt }],
      max_tokens: req.maxOutputTokens,
      stream: true,
      stream_options: INCLUDE_USAGE,
    }),
  },
  'openai-completions': {
    path: '/v1/completions',
    format: 'openai',
    body: (req, model) => ({
      ...(model !== undefined && { model }),
      prompt: req.prompt,
      max_tokens: req.maxOutputTokens,
      stream: true,
      stream_options: INCLUDE_USAGE,
    }),
  },
  tgi: {
    path: '/generate_stream',
    format: 'tgi',
    body: (req) => ({
      inputs: req.prompt,
      parameters: { max_new_tokens: req.maxOutputTokens, details: true },
      stream: true,
    }),
  },
} satisfies Record<string, HttpApiSpec>;

/** Name of a supported HTTP API. */
export type HttpApi = keyof typeof HTTP_APIS;
