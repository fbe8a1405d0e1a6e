/**
 * Reads small tabular files (CSV with a header row, or JSONL with one object per line) into rows of
 * named cells, for trace replay and datasets. Column names match loosely: case, `_`, `-` and spaces
 * are ignored, so `input_tokens`, `inputTokens` and `Input Tokens` are the same column.
 *
 * Errors name the file and the 1-based line: `TableError` carries both for the caller to phrase.
 */
import { extname } from 'node:path';

export class TableError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${message}`);
    this.name = 'TableError';
  }
}

export type Cell = string | number | boolean | null | undefined;

export interface TableRow {
  /** 1-based line in the file. */
  line: number;
  get(column: string): Cell;
}

/** The column key used for matching. */
export function normalizeColumn(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** Splits one CSV line; supports double-quoted fields with `""` escapes, not newlines inside quotes. */
function splitCsvLine(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

function* csvRows(file: string, lines: string[]): Generator<TableRow> {
  let header: Map<string, number> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] ?? '').trim();
    if (text === '' || text.startsWith('#')) continue;
    const cells = splitCsvLine(text);
    if (header === undefined) {
      header = new Map(cells.map((name, index) => [normalizeColumn(name), index]));
      continue;
    }
    const columns = header;
    yield {
      line: i + 1,
      get: (column) => {
        const index = columns.get(normalizeColumn(column));
        return index === undefined ? undefined : cells[index];
      },
    };
  }
  if (header === undefined) throw new TableError(file, undefined, 'the file is empty (expected a CSV header row)');
}

function* jsonlRows(file: string, lines: string[]): Generator<TableRow> {
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] ?? '').trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TableError(file, i + 1, 'not valid JSON (expected one JSON object per line)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TableError(file, i + 1, 'expected a JSON object');
    }
    const fields = new Map(Object.entries(value).map(([k, v]) => [normalizeColumn(k), v as Cell]));
    yield { line: i + 1, get: (column) => fields.get(normalizeColumn(column)) };
  }
}

/** Rows of `text`, parsed by the extension of `file`: `.csv`, or `.jsonl` / `.ndjson`. */
export function readTable(file: string, text: string): Iterable<TableRow> {
  const lines = text.split(/\r?\n/);
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return csvRows(file, lines);
  if (ext === '.jsonl' || ext === '.ndjson') return jsonlRows(file, lines);
  throw new TableError(file, undefined, `unsupported file type "${ext}" (expected .csv, .jsonl or .ndjson)`);
}

/** A whole number ≥ `min` from a cell, or a TableError naming the column and the line. */
export function intCell(file: string, row: TableRow, column: string, min: number): number {
  const raw = row.get(column);
  const value = typeof raw === 'string' && raw !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const got = raw === undefined || raw === '' ? 'nothing' : JSON.stringify(raw);
    throw new TableError(file, row.line, `column "${column}" must be a whole number ≥ ${min}, got ${got}`);
  }
  return value;
}
