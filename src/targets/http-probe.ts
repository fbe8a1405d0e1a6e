/**
 * Before a run: is anything listening at the target? One GET to the base URL; any HTTP answer,
 * whatever its status, means reachable. Fails fast with a message saying what to check.
 */
import { Client } from 'undici';
import { isAbortError, UserError } from '../lib/errors.js';
import { classifyTransportError } from './http-errors.js';

/** Hints by transport error code; the rest get the raw message. */
const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused; is the server running, and on this port?',
  ENOTFOUND: 'host not found; check the host name in the URL',
  EAI_AGAIN: 'host name lookup failed; check the host name and your DNS',
  EHOSTUNREACH: 'host unreachable; check the address and your network',
  ENETUNREACH: 'network unreachable; check the address and your network',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out; check the address, port and any firewall',
};

/**
 * Resolves when the target answers HTTP within `timeoutMs`; otherwise throws a
 * UserError('target_unreachable', 'cannot reach <url>: <reason>').
 */
export async function probeTarget(baseUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL(baseUrl);
  const client = new Client(url.origin, { connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const res = await client.request({
      method: 'GET',
      path: url.pathname,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
  } catch (e: unknown) {
    throw new UserError('target_unreachable', `cannot reach ${baseUrl}: ${reasonOf(e, timeoutMs)}`, { cause: e });
  } finally {
    await client.destroy();
  }
}

function reasonOf(e: unknown, timeoutMs: number): string {
  const err = classifyTransportError(e);
  if (isAbortError(e) || err.kind === 'stream_stalled') return `no HTTP answer within ${timeoutMs} ms; is the server up but stuck?`;
  return (err.code !== undefined && HINTS[err.code]) || err.message;
}
