import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrichSummary, analysisOptionsFromRun } from '../../src/correlate/enrich.js';
import { loadRun } from '../../src/report/run-data.js';
import { stepUpSpec } from '../fixtures/runs/scenarios.js';
import { syntheticRun, syntheticRunFiles, writeRunDir } from '../fixtures/runs/synthetic.js';

const DIR = join(import.meta.dirname, '../fixtures/runs/step-up');

describe('test/fixtures/runs/step-up (a run directory the report tests read)', () => {
  const files = syntheticRunFiles(stepUpSpec());
  if (process.env.UPDATE_FIXTURES === '1') writeRunDir(DIR, files);

  it.each(Object.keys(files))('%s is what the generator writes (UPDATE_FIXTURES=1 rewrites it)', (name) => {
    expect(readFileSync(join(DIR, name), 'utf8')).toBe(files[name]);
  });

  it('loads with loadRun and gives the same analysis as the in-memory run', () => {
    const loaded = loadRun(DIR);
    const memory = syntheticRun(stepUpSpec(), loaded.dir);
    const options = { ...analysisOptionsFromRun(loaded), pricePerHour: 3.6 };
    expect(enrichSummary(loaded, options)).toEqual(enrichSummary(memory, options));
  });
});
