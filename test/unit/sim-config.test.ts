import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { loadSimConfig, parseSimConfig } from '../../src/sim/config.js';
import { aggregateTokensPerS, decodeStepMs, prefillMs } from '../../src/sim/timing.js';

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scalelab-sim-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(path: string): Promise<UserError> {
  const error: unknown = await loadSimConfig(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('sim config', () => {
  it('sims/default.yaml spells out exactly the built-in defaults', async () => {
    expect(await loadSimConfig('sims/default.yaml')).toEqual(parseSimConfig({}));
  });

  it('defaults produce the FACTS.md Llama-3-8B-on-A10G numbers', () => {
    const { model } = parseSimConfig({});
    expect(model).toMatchObject({ copies: 1, batchSlots: 32, prefillTokensPerS: 4000, prefillOverheadMs: 40, baseStepMs: 28 });
    expect(model.maxQueue).toBeUndefined();
    expect(prefillMs(model, 512)).toBe(168); // TTFT alone for a 512-token prompt
    expect(decodeStepMs(model, 1)).toBe(28);
    expect(aggregateTokensPerS(model, 1)).toBeCloseTo(35.714, 3); // one sequence alone
    expect(aggregateTokensPerS(model, 16)).toBeCloseTo(411.96, 2);
    expect(decodeStepMs(model, 32)).toBeCloseTo(50.4, 9);
    expect(aggregateTokensPerS(model, 32)).toBeCloseTo(634.92, 2); // full batch
    expect(decodeStepMs(model, 99)).toBeCloseTo(50.4, 9); // clamped to the slots
    expect(decodeStepMs({ ...model, batchSlots: 1 }, 1)).toBe(28);
  });

  it('loads sims/llama3-8b-g5.yaml over the defaults', async () => {
    const config = await loadSimConfig('sims/llama3-8b-g5.yaml');
    expect(config.model.maxQueue).toBe(96);
    expect(config.model.eosProbabilityPerToken).toBe(0.004);
    expect(config.model.groundTruthLimit).toBe(100_000);
    expect(config.server).toEqual({ modelName: 'meta-llama/Meta-Llama-3-8B-Instruct', tokenTextMode: 'words', defaultMaxTokens: 512 });
    expect(config.faults).toEqual([]);
  });

  it('names the file and every bad field', async () => {
    const path = await tempFile('bad.yaml', 'model:\n  batchSlots: 0\n  decodeMs: 3\nfaults:\n  - { kind: disconnect, probability: 2 }\n');
    const error = await loadError(path);
    expect(error.code).toBe('sim_config_invalid');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/model\.batchSlots: .*>=\s*1/);
    expect(error.message).toContain('decodeMs');
    expect(error.message).toMatch(/faults\.0\.probability: .*<=\s*1/);
  });

  it('rejects a fault window that ends before it starts, a second entry of a kind, an unknown kind', () => {
    expect(() => parseSimConfig({ faults: [{ kind: 'stall', windows: [{ startS: 10, endS: 5 }] }] }, 'inline')).toThrow(
      /inline: invalid simulator config\n {2}faults\.0\.windows\.0: endS must be after startS/,
    );
    expect(() => parseSimConfig({ faults: [{ kind: 'throttling' }, { kind: 'throttling', probability: 0.5 }] })).toThrow(
      /faults\.1\.kind: duplicate fault kind 'throttling'/,
    );
    expect(() => parseSimConfig({ faults: [{ kind: 'gremlins' }] })).toThrow(/faults\.0\.kind/);
  });

  it('gives fault entries their defaults: every request, after the first token', () => {
    const { faults } = parseSimConfig({ faults: [{ kind: 'stall' }, { kind: 'modelError' }, { kind: 'modelStreamError', windows: [{ startS: 60, endS: 90 }] }] });
    expect(faults).toEqual([
      { kind: 'stall', probability: 1, afterTokens: 1, durationMs: 5000 },
      { kind: 'modelError', probability: 1, originalStatusCode: 500, originalMessage: 'injected model failure' },
      { kind: 'modelStreamError', probability: 1, afterTokens: 1, errorCode: 'ModelInvocationTimeExceeded', windows: [{ startS: 60, endS: 90 }] },
    ]);
  });

  it('validates endpoints: either variants or components, unique names, SageMaker-valid names', () => {
    const { endpoints, sagemaker } = parseSimConfig({
      endpoints: [{ name: 'ep-1', variants: [{ name: 'A', payload: 'lmi', weight: 3, model: { copies: 2 } }] }],
    });
    expect(sagemaker).toEqual({ accountId: '123456789012', region: 'us-east-1', splitLines: 0 });
    expect(endpoints[0]?.variants[0]).toMatchObject({ name: 'A', payload: 'lmi', weight: 3, model: { copies: 2, batchSlots: 32 } });
    expect(endpoints[0]?.inferenceComponents).toEqual([]);
    expect(() => parseSimConfig({ endpoints: [{ name: 'e' }] })).toThrow(/endpoints\.0: give either variants or inferenceComponents/);
    expect(() =>
      parseSimConfig({ endpoints: [{ name: 'e', variants: [{ name: 'v' }], inferenceComponents: [{ name: 'c' }] }] }),
    ).toThrow(/not both/);
    expect(() => parseSimConfig({ endpoints: [{ name: 'e', inferenceComponents: [{ name: 'c' }, { name: 'c' }] }] })).toThrow(
      /endpoints\.0\.inferenceComponents\.1\.name: duplicate component name 'c'/,
    );
    expect(() => parseSimConfig({ endpoints: [{ name: 'bad_name', variants: [{ name: 'v' }] }] })).toThrow(/endpoints\.0\.name: not a valid SageMaker name/);
  });

  it('loads the ready SageMaker configs', async () => {
    const tgi = await loadSimConfig('sims/sagemaker-tgi.yaml');
    expect(tgi.endpoints.map((e) => [e.name, e.variants.map((v) => [v.name, v.payload])])).toEqual([['llama3-tgi', [['AllTraffic', 'tgi']]]]);
    const ic = await loadSimConfig('sims/sagemaker-ic.yaml');
    expect(ic.endpoints[0]?.inferenceComponents.map((c) => [c.name, c.payload])).toEqual([
      ['llama3-lmi', 'lmi'],
      ['qwen-openai', 'openai'],
    ]);
  });

  it('names the file and line of broken YAML, and a missing file', async () => {
    const path = await tempFile('broken.yaml', 'model:\n  copies: 1\n   batchSlots: [\n');
    const error = await loadError(path);
    expect(error.message).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(line \\d+\\): not valid YAML`));
    const missing = await loadError(join(tmpdir(), 'no-such-sim-config.yaml'));
    expect(missing.message).toContain('no-such-sim-config.yaml: cannot read simulator config');
  });

  it('takes an empty file as all defaults', async () => {
    expect(await loadSimConfig(await tempFile('empty.yaml', ''))).toEqual(parseSimConfig({}));
  });
});
