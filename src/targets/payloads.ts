/**
 * Request bodies for the common SageMaker containers, by name; adding one is adding one entry.
 *
 * Bodies are the containers' documented ones with no server-specific knobs; `max_new_tokens` /
 * `max_tokens` is a ceiling and the model may stop earlier. `stream` says whether the request goes
 * out as `InvokeEndpointWithResponseStream` (true) or `InvokeEndpoint`. A user's own body shape
 * comes from a template file (payload-template.ts).
 */
import type { InferenceRequest } from './types.js';
import type { PayloadTemplate } from './payload-template.js';

export { parsePayloadTemplate, type PayloadTemplate } from './payload-template.js';

interface PayloadSpec {
  body(req: InferenceRequest, stream: boolean): string;
}

/** The built-in request bodies by payload format name. */
export const PAYLOAD_FORMATS = {
  /** Hugging Face TGI: `details` asks for the final token count. */
  tgi: {
    body: (req, stream) =>
      JSON.stringify({ inputs: req.prompt, parameters: { max_new_tokens: req.maxOutputTokens, details: true }, stream }),
  },
  /** DJL LMI: streaming is chosen by the API called (InvokeEndpointWithResponseStream), not the body. */
  lmi: {
    body: (req) => JSON.stringify({ inputs: req.prompt, parameters: { max_new_tokens: req.maxOutputTokens } }),
  },
  /** OpenAI-style messages (LMI and TGI Messages API, vLLM containers); usage in the final chunk. */
  openai: {
    body: (req, stream) =>
      JSON.stringify({
        messages: [{ role: 'user', content: req.prompt }],
        max_tokens: req.maxOutputTokens,
        stream,
        ...(stream && { stream_options: { include_usage: true } }),
      }),
  },
} satisfies Record<string, PayloadSpec>;

/** Payload formats a profile can name; `template` needs a template file. */
export const PAYLOAD_FORMAT_NAMES = ['tgi', 'lmi', 'openai', 'template'] as const;
export type PayloadFormatName = (typeof PAYLOAD_FORMAT_NAMES)[number];

/** What the invoker needs to build bodies: a built-in format, or a loaded template. */
export type Payload = { format: keyof typeof PAYLOAD_FORMATS } | { format: 'template'; template: PayloadTemplate };

/** The body builder of `payload`. */
export function payloadBody(payload: Payload): (req: InferenceRequest, stream: boolean) => string {
  if (payload.format === 'template') {
    const { template } = payload;
    return (req) => template.render(req);
  }
  return PAYLOAD_FORMATS[payload.format].body;
}

/**
 * The Payload of a profile's `payload.format`, with the template its loader read.
 * A `template` format without a template is a programming error (the loader always reads it).
 */
export function resolvePayload(format: PayloadFormatName, template: PayloadTemplate | undefined): Payload {
  if (format !== 'template') return { format };
  if (template === undefined) throw new Error('payload format template without a loaded template');
  return { format, template };
}
