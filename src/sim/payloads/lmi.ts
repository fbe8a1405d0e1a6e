/**
 * The LMI (DJL Serving) rolling-batch format, pure: request `{inputs, parameters: {max_new_tokens,
 * details}, stream}`; streaming answers are JSON lines, one per token, `{"token": {"id", "text",
 * "log_prob"}}`, the last one also carrying `generated_text` and `details` (finish_reason,
 * generated_tokens); the non-streaming answer is `{generated_text}` with `details` when asked.
 * Shape from the LMI handlers' input/output schema (docs.djl.ai, lmi_input_output_schema).
 */
import { z } from 'zod';
import { fullText, maxTokens, optional, parseWith, tgiFinish, type Protocol } from '../protocols.js';
import { estimateInputTokens, tokenId, tokenText } from '../tokens.js';

const lmiBody = z.object({
  inputs: z.string(),
  parameters: z.object({ max_new_tokens: maxTokens, details: z.boolean().optional() }).optional(),
  stream: z.boolean().optional(),
});

export const lmiProtocol: Protocol = {
  idPrefix: 'cmpl',
  parse: (body) =>
    parseWith(lmiBody, body, (b) => ({
      inputTokens: estimateInputTokens(b.inputs.length),
      ...optional('maxTokens', b.parameters?.max_new_tokens),
      stream: b.stream ?? false,
      includeUsage: false,
      details: b.parameters?.details ?? false,
    })),
  tokenEvent: (ctx, index, finish) =>
    `${JSON.stringify({
      token: { id: tokenId(ctx.tokenTextMode, index), text: tokenText(ctx.tokenTextMode, index), log_prob: -0.25 },
      ...(finish !== undefined && {
        generated_text: fullText(ctx, index + 1),
        details: { finish_reason: tgiFinish(finish), generated_tokens: index + 1 },
      }),
    })}\n`,
  closingEvents: () => '',
  malformedEvent: '{"token":{"id":\n',
  completeBody: (ctx, outputTokens, finish) => ({
    generated_text: fullText(ctx, outputTokens),
    ...(ctx.details && { details: { finish_reason: tgiFinish(finish), generated_tokens: outputTokens } }),
  }),
};
