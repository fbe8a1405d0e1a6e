/** Small helpers for reading untyped JSON payloads without casts. */
import { InvocationError } from '../../targets/types.js';
import type { Usage } from './types.js';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Longest part of a bad payload quoted in an error message. */
const EXCERPT_LENGTH = 120;

/** Parses a payload that must be a JSON object; anything else is a `malformed_payload` error. */
export function parseJsonObject(payload: string): JsonObject {
  const value = parseJson(payload);
  if (!isObject(value)) throw notAnObject(payload);
  return value;
}

/** Parses a payload that must be JSON; invalid JSON is a `malformed_payload` error. */
export function parseJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch (e: unknown) {
    throw malformed('invalid_json', `invalid JSON in stream payload: ${excerpt(payload)}`, e);
  }
}

/** The `malformed_payload` error of a payload that should have been a JSON object. */
export function notAnObject(payload: string): InvocationError {
  return malformed('not_an_object', `stream payload is not a JSON object: ${excerpt(payload)}`);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Usage from the server's input and output count fields; undefined when neither is a count. */
export function usageOf(inputField: unknown, outputField: unknown): Usage | undefined {
  const inputTokens = countOf(inputField);
  const outputTokens = countOf(outputField);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  return {
    ...(inputTokens !== undefined && { inputTokens }),
    ...(outputTokens !== undefined && { outputTokens }),
  };
}

function countOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A readable message from an error field: a string, or an object with a `message`. */
export function errorText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.message === 'string') return value.message;
  return JSON.stringify(value);
}

function malformed(code: string, message: string, cause?: unknown): InvocationError {
  return new InvocationError({ kind: 'malformed_payload', code, message }, { cause });
}

function excerpt(payload: string): string {
  return JSON.stringify(payload.length > EXCERPT_LENGTH ? `${payload.slice(0, EXCERPT_LENGTH)}…` : payload);
}
