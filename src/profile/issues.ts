/**
 * Plain-words messages for profile mistakes: a zod issue or a FieldError becomes
 * "<file>:<line>:<col>: <field path>: <what is wrong and what is expected>". No zod dump, no stack.
 */
import type { z } from 'zod';

export type FieldPath = readonly PropertyKey[];

/** A mistake at a field, found after schema validation (e.g. while expanding shapes). */
export class FieldError extends Error {
  constructor(
    readonly path: FieldPath,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }

  /** The same error with `prefix` put in front of its path. */
  under(prefix: FieldPath): FieldError {
    return new FieldError([...prefix, ...this.path], this.message);
  }
}

/** `["stages", 2, "rateRps"]` → `stages[2].rateRps`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** A short rendering of a user's value for "got …". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
};

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, small: boolean): string {
  const limit = String(small ? issue.minimum : issue.maximum);
  if (small) return issue.inclusive === false ? `> ${limit}` : `≥ ${limit}`;
  return issue.inclusive === false ? `< ${limit}` : `≤ ${limit}`;
}

/** What is wrong, in plain words, for one zod issue (zod 4 issue shapes). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (expected ${TYPE_WORDS[issue.expected] ?? issue.expected})`;
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, ${got}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      if (issue.origin === 'array') {
        return `needs ${small ? 'at least' : 'at most'} ${String(small ? issue.minimum : issue.maximum)} item(s)`;
      }
      if (issue.origin === 'string' && small) return 'must not be empty';
      return `must be ${bound(issue, small)}, ${got}`;
    }
    case 'invalid_value':
      return `expected one of: ${issue.values.map((v) => String(v)).join(', ')}; ${got}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    case 'invalid_union': {
      const options = 'options' in issue ? issue.options : undefined;
      if (issue.discriminator !== undefined && options !== undefined) {
        const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
        const valid = options.map((o) => String(o)).join(', ');
        return kind === undefined ? `is required; valid kinds: ${valid}` : `unknown kind ${describeValue(kind)}; valid kinds: ${valid}`;
      }
      return `does not match any allowed form, ${got}`;
    }
    default:
      return issue.message;
  }
}
