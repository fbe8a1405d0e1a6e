import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { probeTarget } from '../../src/targets/http.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function probeError(baseUrl: string, timeoutMs: number): Promise<UserError> {
  try {
    await probeTarget(baseUrl, timeoutMs);
  } catch (e: unknown) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('probe succeeded');
}

describe('probeTarget', () => {
  it('resolves when the server answers, whatever the status', async () => {
    server = await startFixtureServer([{ status: 404, headers: {} }, 'end']);
    await expect(probeTarget(server.url, 2000)).resolves.toBeUndefined();
    expect(server.requests[0]?.method).toBe('GET');
  });

  it('connection refused → target_unreachable naming the URL and what to check', async () => {
    const s = await startFixtureServer(['end']);
    const url = s.url;
    await s.close();
    const err = await probeError(url, 2000);
    expect(err.code).toBe('target_unreachable');
    expect(err.message).toBe(`cannot reach ${url}: connection refused; is the server running, and on this port?`);
  });

  it('a server that accepts but never answers → target_unreachable within the timeout', async () => {
    server = await startFixtureServer([{ wait: 10_000 }, 'end']);
    const started = performance.now();
    const err = await probeError(server.url, 300);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err.message).toBe(`cannot reach ${server.url}: no HTTP answer within 300 ms; is the server up but stuck?`);
  });
});
