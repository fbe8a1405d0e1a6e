/**
 * AWS JSON protocol plumbing shared by the CloudWatch (JSON 1.0, query-compatible) and
 * Application Auto Scaling (JSON 1.1) endpoints: request bodies (gzip accepted), responses,
 * timestamps, pagination tokens and input validation.
 *
 * Timestamps travel as epoch seconds, fractional for milliseconds (the SDK sends
 * `"StartTime":1700000000.123` and reads numbers back).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { z } from 'zod';
import { CloudApiError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

/** The request body, decompressed when `content-encoding: gzip` (PutMetricData sends large bodies that way). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  return encoding.split(',').some((e) => e.trim() === 'gzip') ? gunzipAsync(raw) : raw;
}

/** Parses a JSON body ({} when empty); a malformed one is the caller's error. */
export function parseJson(body: Buffer, invalid: (message: string) => CloudApiError): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
}

export function sendJson(res: ServerResponse, status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Epoch ms → the wire's epoch seconds. */
export const epochS = (ms: number): number => ms / 1000;

/** A timestamp field: epoch seconds (number) or an ISO string, as JSON protocols accept. */
export function timestampMs(value: number | string): number {
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

/**
 * One page of `items` from the offset a NextToken encodes. Tokens are opaque to clients: the
 * offset in base64url JSON; a token that does not decode is the client's error.
 */
export function paginate<T>(items: readonly T[], maxItems: number, token: string | undefined, invalidToken: () => CloudApiError): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
      if (typeof decoded.offset !== 'number' || !Number.isInteger(decoded.offset) || decoded.offset < 0) throw new Error('bad offset');
      offset = decoded.offset;
    } catch {
      throw invalidToken();
    }
  }
  const page = items.slice(offset, offset + maxItems);
  const next = offset + page.length;
  return next < items.length ? { page, nextToken: encodeToken(next) } : { page };
}

export const encodeToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

/** Validates `input` with `schema`; the first issue becomes the service's validation error. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, invalid: (message: string) => CloudApiError): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw invalid(`${where}${issue?.message ?? 'invalid request'}`);
}

/** Drops undefined fields, so responses carry only what is set. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
