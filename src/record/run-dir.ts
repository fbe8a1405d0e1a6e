/**
 * The run directory, the exchange format (DESIGN invariant 6): run.json, latency.hlog,
 * timeline.ndjson, results.ndjson, summary.json. Streams are appended as the run goes so a
 * killed run keeps everything up to the last flushed interval (invariant 7).
 */
import { createWriteStream, existsSync, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { UserError, errorMessage } from '../lib/errors.js';

export const RUN_FILES = {
  run: 'run.json',
  hlog: 'latency.hlog',
  timeline: 'timeline.ndjson',
  results: 'results.ndjson',
  summary: 'summary.json',
} as const;

/** Characters buffered per stream before a write: one syscall per block, not per line. */
const BLOCK_CHARS = 1 << 16;

export class RunDirectory {
  readonly path: string;
  private readonly streams: WriteStream[] = [];
  private readonly flushers: (() => void)[] = [];
  private streamError: unknown;

  constructor(path: string) {
    this.path = resolve(path);
    try {
      makeDirs(this.path);
    } catch (e: unknown) {
      throw new UserError('out_dir', `cannot create the run directory ${this.path}: ${errorMessage(e)}; choose another --out`, { cause: e });
    }
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileSync(this.file(name), JSON.stringify(value, null, 2) + '\n');
  }

  /**
   * An append stream, buffered: text goes to disk in blocks of BLOCK_CHARS and at every `flush()`
   * (the run flushes at each closed interval, so a killed run loses at most the open interval).
   * Its errors are kept and raised by `close` rather than crashing the run mid-way.
   */
  openStream(name: string): (text: string) => void {
    const stream = createWriteStream(this.file(name), { flags: 'w', highWaterMark: 1 << 16 });
    stream.on('error', (e) => {
      this.streamError ??= e;
    });
    this.streams.push(stream);
    let pending: string[] = [];
    let pendingChars = 0;
    const flush = (): void => {
      if (pending.length === 0) return;
      if (!stream.destroyed) stream.write(pending.join(''));
      pending = [];
      pendingChars = 0;
    };
    this.flushers.push(flush);
    return (text) => {
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= BLOCK_CHARS) flush();
    };
  }

  /** Hands everything buffered to the streams. */
  flush(): void {
    for (const f of this.flushers) f();
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all(
      this.streams.map(async (s) => {
        if (s.destroyed || s.writableFinished) return;
        s.end();
        await once(s, 'finish').catch(() => undefined);
      }),
    );
    if (this.streamError !== undefined) {
      throw new UserError('out_write', `writing the run directory ${this.path} failed: ${errorMessage(this.streamError)}`);
    }
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for some paths (under
 * /proc it loops at full CPU), where a plain mkdir fails at once with an error worth showing.
 */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let p = path; !existsSync(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) mkdirSync(p);
}

/** `reports/<timestamp>-<profile>`, the default --out. */
export function defaultRunDir(profileName: string, startMs: number, root = 'reports'): string {
  const stamp = new Date(startMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = profileName.replace(/[^A-Za-z0-9_.-]+/g, '-');
  return join(root, `${stamp}-${safe}`);
}
