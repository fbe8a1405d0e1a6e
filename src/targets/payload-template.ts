/**
 * A user's own request body: a JSON file with `{{prompt}}` and `{{max_tokens}}` placeholders.
 *
 * `{{prompt}}` is replaced by the prompt JSON-escaped without its quotes, so it sits inside a JSON
 * string: `"inputs": "{{prompt}}"`. `{{max_tokens}}` is replaced by the number, so it stands where
 * a number goes: `"max_new_tokens": {{max_tokens}}`. Checked when loaded: both placeholders must
 * appear, and the body rendered with a sample prompt must be valid JSON. Rendering is string
 * concatenation of pre-split parts: no parse per request.
 */
import { errorMessage, UserError } from '../lib/errors.js';
import type { InferenceRequest } from './types.js';

const PLACEHOLDER = /\{\{\s*(prompt|max_tokens)\s*\}\}/g;

/** A loaded template; `render` builds one request body. */
export interface PayloadTemplate {
  /** The template file, as given. */
  readonly path: string;
  render(req: InferenceRequest): string;
}

const SAMPLE: InferenceRequest = { seq: 0, stage: 0, intendedMs: 0, prompt: 'a "quoted"\nprompt\\', inputTokens: 4, maxOutputTokens: 16 };

const EXAMPLE = '{"inputs": "{{prompt}}", "parameters": {"max_new_tokens": {{max_tokens}}}}';

function invalid(path: string, problem: string, cause?: unknown): UserError {
  return new UserError('payload_template_invalid', `payload template ${path}: ${problem}\n  e.g. ${EXAMPLE}`, { cause });
}

/**
 * Splits a template's text into literal parts and placeholders, and checks it.
 * @throws UserError('payload_template_invalid') naming `path` and what is wrong.
 */
export function parsePayloadTemplate(path: string, text: string): PayloadTemplate {
  const literals: string[] = [];
  const slots: Array<'prompt' | 'max_tokens'> = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    literals.push(text.slice(last, match.index));
    slots.push(match[1] === 'prompt' ? 'prompt' : 'max_tokens');
    last = match.index + match[0].length;
  }
  literals.push(text.slice(last));
  const missing = (['prompt', 'max_tokens'] as const).filter((name) => !slots.includes(name));
  if (missing.length > 0) throw invalid(path, `no ${missing.map((m) => `{{${m}}}`).join(' or ')} placeholder`);

  const render = (req: InferenceRequest): string => {
    const prompt = JSON.stringify(req.prompt).slice(1, -1);
    const maxTokens = String(req.maxOutputTokens);
    let body = literals[0] as string;
    for (let i = 0; i < slots.length; i++) body += (slots[i] === 'prompt' ? prompt : maxTokens) + (literals[i + 1] as string);
    return body;
  };
  try {
    JSON.parse(render(SAMPLE));
  } catch (e: unknown) {
    throw invalid(path, `not valid JSON once filled in (${errorMessage(e)}); put {{prompt}} inside quotes and {{max_tokens}} where a number goes`, e);
  }
  return { path, render };
}
