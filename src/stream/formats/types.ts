/**
 * What a container format makes of one event payload: how many output tokens it carries and
 * whether it reports usage, the end of the stream, or an error.
 */

/** Token counts as the server reports them. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/** The meaning of one payload. `tokens` is 0 for events that carry no output text. */
export interface TokenEvent {
  /** Output tokens this event carries (counted events; the server's usage overrides the total). */
  tokens: number;
  usage?: Usage;
  /** The server marked the end of the generation. */
  done?: boolean;
  /** The server reported an error in the stream; the message to record. */
  error?: string;
}

/**
 * Decodes one event payload (an SSE `data` field, a JSON line…). Pure and stateless.
 * Throws an `InvocationError` of kind `malformed_payload` when the payload cannot be parsed.
 */
export interface StreamFormat {
  decode(payload: string): TokenEvent;
}
