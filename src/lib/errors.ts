/**
 * Errors of the tool itself (not of requests: those are data, see targets/types.ts).
 * Each has a stable `code`; `UserError`s are the user's to fix and print without a stack trace.
 */
export class ScalelabError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A mistake in the user's input: a profile, a flag, a file. The CLI prints it and exits 2. */
export class UserError extends ScalelabError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The one way to turn an unknown thrown value into a message. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}
