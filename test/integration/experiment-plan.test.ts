/**
 * Against AWS without --apply, `scalelab experiment` prints the plan and calls nothing: every AWS
 * API is pointed (AWS_ENDPOINT_URL, as the SDK reads it) at a local server that counts requests,
 * and it counts none.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { experimentCommand } from '../../src/cli/commands/experiment.js';
import { tempDir } from '../helpers/run-helpers.js';

const EXPERIMENT = `
profile: p.yaml
target: sagemaker:prod-llm?region=us-west-2
resource: { variant: AllTraffic, endpoint: prod-llm }
variants:
  - { name: a, minCapacity: 1, maxCapacity: 2, targetTracking: { predefinedMetric: SageMakerVariantInvocationsPerInstance, targetValue: 40 } }
  - { name: b, minCapacity: 1, maxCapacity: 2, targetTracking: { predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, targetValue: 5 } }
`;

describe('scalelab experiment against AWS without --apply', () => {
  it('prints each variant\'s requests and sends none', async () => {
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const saved = process.env['AWS_ENDPOINT_URL'];
    process.env['AWS_ENDPOINT_URL'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = tempDir();
    writeFileSync(join(dir, 'exp.yaml'), EXPERIMENT);
    writeFileSync(join(dir, 'p.yaml'), 'stages: [{ kind: constant, rateRps: 1, durationS: 1 }]\n');
    let code: number | undefined;
    const stdout: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
    try {
      const command = experimentCommand((c) => (code = c));
      await (command.handler as (a: unknown) => Promise<void>)({ file: join(dir, 'exp.yaml'), out: join(dir, 'out') });
    } finally {
      out.mockRestore();
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL'];
      else process.env['AWS_ENDPOINT_URL'] = saved;
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(code).toBe(0);
    expect(seen).toHaveLength(0);
    const text = stdout.join('');
    expect(text).toContain('experiment exp');
    expect(text).toContain('"PolicyName":"scalelab-exp-a"');
    expect(text).toContain('"PolicyName":"scalelab-exp-b"');
    expect(text).toContain('add --apply');
  });
});
