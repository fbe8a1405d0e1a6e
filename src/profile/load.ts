/**
 * Reading a profile: YAML → schema → referenced files (traces, dataset) → a sequence check.
 * Every problem becomes one UserError('profile_invalid') whose lines read
 * "<file>:<line>:<col>: <field path>: <what is expected>".
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { errorMessage, UserError } from '../lib/errors.js';
import { parsePayloadTemplate, type PayloadTemplate } from '../targets/payloads.js';
import { parseDataset, DEFAULT_TOKEN_COLUMNS, type Dataset } from '../workload/dataset.js';
import { TableError } from '../workload/table.js';
import { DEFAULT_TRACE_COLUMNS, parseTrace, type Trace } from '../workload/trace.js';
import { describeIssue, describeValue, FieldError, formatPath, type FieldPath } from './issues.js';
import { planSegments } from './plan.js';
import { profileSchema, ProfileSource, type Profile, type ProfileSpec } from './schema.js';

export interface ProfileOverrides {
  /** Replaces the profile's `seed` (the CLI's --seed). */
  seed?: number;
}

/** Issues listed in one message at most; the rest are counted. */
const MAX_ISSUES_SHOWN = 8;

const invalid = (message: string, cause?: unknown): UserError => new UserError('profile_invalid', message, { cause });

/** Locates field paths in the YAML source, for "file:line:col" prefixes. */
class SourceMap {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** "file:line:col" of the deepest node on `path` present in the YAML (the root if none). */
  where(path: FieldPath): string {
    for (let n = path.length; n > 0; n--) {
      const node: unknown = this.doc.getIn(path.slice(0, n) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range !== undefined) {
        const pos = this.lines.linePos(range[0]);
        return `${this.file}:${pos.line}:${pos.col}`;
      }
    }
    return this.file;
  }

  error(issues: { path: FieldPath; locate?: FieldPath; message: string }[], cause?: unknown): UserError {
    const lines = [...new Set(issues.map((i) => `${this.where(i.locate ?? i.path)}: ${formatPath(i.path)}: ${i.message}`))];
    const shown = lines.slice(0, MAX_ISSUES_SHOWN);
    if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more problem(s)`);
    return invalid(shown.join('\n'), cause);
  }
}

/** A file's text, or a UserError "<label> <file> not found" / "… cannot be read (…)". */
function readText(file: string, label: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e: unknown) {
    const reason = (e as { code?: unknown }).code === 'ENOENT' ? 'not found' : `cannot be read (${errorMessage(e)})`;
    throw invalid(`${label} ${file} ${reason}`, e);
  }
}

/** A TableError (bad row) as a UserError naming the data file's line and the profile field. */
function tableFailure(e: unknown, where: string, field: string): unknown {
  return e instanceof TableError ? invalid(`${e.message}\n  (referred to by ${where}: ${field})`, e) : e;
}

function loadTraces(spec: ProfileSpec, dir: string, source: SourceMap): Map<number, Trace> {
  const traces = new Map<number, Trace>();
  spec.stages.forEach((entry, index) => {
    if (entry.kind !== 'trace') return;
    const path: FieldPath = ['stages', index, 'path'];
    const file = resolve(dir, entry.path);
    const text = readText(file, `${source.where(path)}: ${formatPath(path)}: trace file`);
    try {
      traces.set(index, parseTrace(file, text, entry.timestampUnit, { ...DEFAULT_TRACE_COLUMNS, ...entry.columns }));
    } catch (e: unknown) {
      throw tableFailure(e, source.where(path), formatPath(path));
    }
  });
  return traces;
}

function loadDataset(spec: ProfileSpec, dir: string, source: SourceMap): Dataset | undefined {
  if (spec.workload.kind !== 'dataset') return undefined;
  const path: FieldPath = ['workload', 'dataset', 'path'];
  const file = resolve(dir, spec.workload.dataset.path);
  const text = readText(file, `${source.where(path)}: ${formatPath(path)}: dataset file`);
  try {
    return parseDataset(file, text, { ...DEFAULT_TOKEN_COLUMNS, ...spec.workload.dataset.columns });
  } catch (e: unknown) {
    throw tableFailure(e, source.where(path), formatPath(path));
  }
}

function loadTemplate(spec: ProfileSpec, dir: string, source: SourceMap): PayloadTemplate | undefined {
  if (spec.payload.templatePath === undefined) return undefined;
  const path: FieldPath = ['payload', 'templatePath'];
  const file = resolve(dir, spec.payload.templatePath);
  const text = readText(file, `${source.where(path)}: ${formatPath(path)}: payload template`);
  try {
    return parsePayloadTemplate(file, text);
  } catch (e: unknown) {
    throw e instanceof UserError ? invalid(`${source.where(path)}: ${formatPath(path)}: ${e.message}`, e) : e;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and validates a profile from its text. `sourcePath` names the file in messages, gives the
 * default `name`, and is the base for relative trace and dataset paths.
 * @throws UserError('profile_invalid') on any problem, with file, line, field path and expectation.
 */
export function parseProfile(text: string, sourcePath: string, overrides: ProfileOverrides = {}): Profile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    const at = `${sourcePath}:${pos.line}:${pos.col}`;
    throw invalid(`${at}: YAML syntax error: ${syntax.message.split('\n')[0] ?? ''}`, syntax);
  }
  const source = new SourceMap(sourcePath, doc, lineCounter);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e: unknown) {
    throw invalid(`${sourcePath}: YAML error: ${errorMessage(e)}`, e);
  }
  if (!isMapping(raw)) {
    throw invalid(`${sourcePath}: expected a mapping of profile fields (name, stages, workload, …), got ${describeValue(raw)}`);
  }
  const { seed } = overrides;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw invalid(`seed override (--seed) must be a whole number from 0 to 4294967295, got ${seed}`);
  }
  const input = {
    name: basename(sourcePath, extname(sourcePath)),
    ...raw,
    ...(seed === undefined ? {} : { seed }),
  };
  const parsed = profileSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw source.error(
      parsed.error.issues.map((issue) => ({
        path: issue.path,
        // Point unknown keys at the key itself, not at the mapping holding it.
        locate: issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path,
        message: describeIssue(issue),
      })),
    );
  }
  const dir = dirname(sourcePath);
  const spec = parsed.data;
  const profile: Profile = {
    ...spec,
    source: new ProfileSource(
      sourcePath,
      loadTraces(spec, dir, source),
      loadDataset(spec, dir, source),
      loadTemplate(spec, dir, source),
    ),
  };
  // What only shows in sequence, e.g. a ramp without fromRps after a closed-loop stage.
  try {
    planSegments(profile);
  } catch (e: unknown) {
    if (e instanceof FieldError) throw source.error([{ path: e.path, message: e.message }], e);
    throw e;
  }
  return profile;
}

/**
 * Reads, parses and validates a profile file.
 * @throws UserError('profile_invalid') on any problem (missing file, YAML syntax, schema, data files).
 */
export function loadProfile(path: string, overrides: ProfileOverrides = {}): Profile {
  return parseProfile(readText(path, 'profile file'), path, overrides);
}
