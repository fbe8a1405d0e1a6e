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
    expect(config.faults.stall).toEqual({ probability: 0, durationMs: 5000, afterTokens: 1, windows: [] });
  });

  it('names the file and every bad field', async () => {
    const path = await tempFile('bad.yaml', 'model:\n  batchSlots: 0\n  decodeMs: 3\nfaults:\n  disconnect: { probability: 2 }\n');
    const error = await loadError(path);
    expect(error.code).toBe('sim_config_invalid');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/model\.batchSlots: .*>=\s*1/);
    expect(error.message).toContain('decodeMs');
    expect(error.message).toMatch(/faults\.disconnect\.probability: .*<=\s*1/);
  });

  it('rejects a stall window that ends before it starts', () => {
    expect(() => parseSimConfig({ faults: { stall: { windows: [{ startMs: 10, endMs: 5 }] } } }, 'inline')).toThrow(
      /inline: invalid simulator config\n {2}faults\.stall\.windows\.0: endMs must be after startMs/,
    );
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
