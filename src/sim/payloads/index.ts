/**
 * What a SageMaker variant's or inference component's container speaks, per payload format: the
 * request body it takes and the bytes it answers with (inside PayloadParts when streaming). The
 * encoders are protocols.ts's and lmi.ts's; this adds what differs behind SageMaker.
 */
import type { PayloadFormat } from '../config.js';
import { PROTOCOLS, type Protocol } from '../protocols.js';
import { lmiProtocol } from './lmi.js';

export interface ContainerPayload {
  /** Reported as x-amzn-sagemaker-content-type on streams and content-type on InvokeEndpoint. */
  streamContentType: string;
  /** The protocol for this request body (the OpenAI format serves chat `messages` and completions `prompt`). */
  protocolFor(body: unknown): Protocol;
}

/** The TGI container on SageMaker answers a non-streaming call with a one-element list. */
const tgiOnSageMaker: Protocol = {
  ...PROTOCOLS.tgi_stream,
  completeBody: (ctx, outputTokens, finish) => [PROTOCOLS.tgi_stream.completeBody(ctx, outputTokens, finish)],
};

const hasMessages = (body: unknown): boolean => typeof body === 'object' && body !== null && 'messages' in body;

export const CONTAINER_PAYLOADS = {
  tgi: { streamContentType: 'text/event-stream', protocolFor: () => tgiOnSageMaker },
  lmi: { streamContentType: 'application/jsonlines', protocolFor: () => lmiProtocol },
  openai: {
    streamContentType: 'text/event-stream',
    protocolFor: (body) => (hasMessages(body) ? PROTOCOLS.openai_chat : PROTOCOLS.openai_completions),
  },
} satisfies Record<PayloadFormat, ContainerPayload>;
