/**
 * Merging shards' results.ndjson into one file ordered by `endMs`, streaming: one line per shard
 * is held at a time (a k-way merge), so memory does not grow with the number of requests.
 * Each shard writes its results as they end, so its file is in `endMs` order already (up to drops
 * recorded a little after their planned instant, which keep their shard's order).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { UserError } from '../lib/errors.js';

interface Head {
  line: string;
  endMs: number;
}

/** Reads one ndjson file line by line, keeping the next line and its endMs. */
class ResultCursor {
  private readonly lines: AsyncIterator<string>;
  private lineNo = 0;
  head: Head | undefined;

  constructor(private readonly path: string) {
    this.lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    for (;;) {
      const next = await this.lines.next();
      if (next.done) {
        this.head = undefined;
        return;
      }
      this.lineNo++;
      const line = next.value;
      if (line.trim() === '') continue;
      let endMs: unknown;
      try {
        endMs = (JSON.parse(line) as { endMs?: unknown }).endMs;
      } catch {
        throw new UserError('run_corrupt', `${this.path}:${this.lineNo} is not valid JSON`);
      }
      if (typeof endMs !== 'number') throw new UserError('run_corrupt', `${this.path}:${this.lineNo} has no endMs`);
      this.head = { line, endMs };
      return;
    }
  }
}

/** Writes the lines of every file in `paths` to `outPath`, ordered by endMs (ties: the earlier path first). Returns the line count. */
export async function mergeResults(paths: readonly string[], outPath: string): Promise<number> {
  const cursors = paths.map((p) => new ResultCursor(p));
  await Promise.all(cursors.map((c) => c.advance()));
  const out = createWriteStream(outPath);
  let n = 0;
  try {
    for (;;) {
      let min: ResultCursor | undefined;
      for (const c of cursors) if (c.head && (!min?.head || c.head.endMs < min.head.endMs)) min = c;
      if (!min?.head) break;
      if (!out.write(min.head.line + '\n')) await once(out, 'drain');
      n++;
      await min.advance();
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return n;
}
