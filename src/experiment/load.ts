/** Reading an experiment file: YAML → validated spec with paths resolved against the file's folder. */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError, errorMessage } from '../lib/errors.js';
import { describeIssue, formatPath } from '../profile/issues.js';
import { experimentSchema, type ExperimentSpec } from './schema.js';

export interface Experiment extends ExperimentSpec {
  name: string;
  /** The experiment file, absolute. */
  file: string;
  /** `profile:` resolved against the file's folder. */
  profilePath: string;
  /** `target.sim` resolved against the file's folder, when the target is the simulator. */
  simConfigPath?: string;
}

const invalid = (message: string, cause?: unknown): UserError => new UserError('experiment_invalid', message, cause === undefined ? undefined : { cause });

/** @throws UserError('experiment_invalid') naming the file and the field. */
export function parseExperiment(text: string, file: string): Experiment {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e: unknown) {
    throw invalid(`${file}: not valid YAML: ${errorMessage(e).split('\n')[0] ?? ''}`, e);
  }
  const parsed = experimentSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((i) => `${file}: ${formatPath(i.path)}: ${describeIssue(i)}`);
    throw invalid(lines.join('\n'));
  }
  const spec = parsed.data;
  const seen = new Set<string>();
  for (const [i, v] of spec.variants.entries()) {
    if (seen.has(v.name)) throw invalid(`${file}: variants[${i}].name: '${v.name}' is used twice; each variant needs its own name (it names its run directory)`);
    seen.add(v.name);
  }
  const dir = dirname(resolve(file));
  return {
    ...spec,
    name: spec.name ?? basename(file, extname(file)),
    file: resolve(file),
    profilePath: resolve(dir, spec.profile),
    ...(typeof spec.target === 'object' && { simConfigPath: resolve(dir, spec.target.sim) }),
  };
}

export function loadExperiment(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw invalid(`${file}: cannot read the experiment file: ${errorMessage(e)}`, e);
  }
  return parseExperiment(text, file);
}
