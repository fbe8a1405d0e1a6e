/**
 * Trace replay input: a CSV or JSONL file of (timestamp, input tokens, output tokens) rows.
 *
 * Timestamps may be numbers (seconds or milliseconds, per `timestampUnit`; relative or epoch) or
 * ISO-8601 date strings. They are normalized so the earliest row is at 0, and sorted: replay needs
 * non-decreasing send times, and real traces are sometimes slightly out of order.
 */
import { intCell, readTable, TableError, type TableRow } from './table.js';
import type { TokenColumns } from './dataset.js';

export interface TraceColumns extends TokenColumns {
  timestamp: string;
}

export const DEFAULT_TRACE_COLUMNS: TraceColumns = {
  timestamp: 'timestamp',
  input: 'input_tokens',
  output: 'output_tokens',
};

export type TimestampUnit = 's' | 'ms';

/** Rows sorted by offset, as typed arrays (memory proportional to the file, not to the run). */
export interface Trace {
  path: string;
  /** Offset of each row from the earliest one, ms, non-decreasing. */
  offsetsMs: Float64Array;
  inputTokens: Uint32Array;
  outputTokens: Uint32Array;
}

function timestampMs(path: string, row: TableRow, column: string, unit: TimestampUnit): number {
  const raw = row.get(column);
  if (typeof raw === 'number' || (typeof raw === 'string' && raw !== '' && !Number.isNaN(Number(raw)))) {
    const value = Number(raw);
    if (Number.isFinite(value)) return unit === 's' ? value * 1000 : value;
  }
  if (typeof raw === 'string' && raw !== '') {
    const epochMs = Date.parse(raw);
    if (!Number.isNaN(epochMs)) return epochMs;
  }
  const got = raw === undefined || raw === '' ? 'nothing' : JSON.stringify(raw);
  throw new TableError(path, row.line, `column "${column}" must be a number (${unit}) or an ISO date, got ${got}`);
}

/** Parses a trace file's text; throws TableError with the file and line on a bad row. */
export function parseTrace(
  path: string,
  text: string,
  unit: TimestampUnit = 's',
  columns: TraceColumns = DEFAULT_TRACE_COLUMNS,
): Trace {
  const rows: { atMs: number; input: number; output: number }[] = [];
  for (const row of readTable(path, text)) {
    rows.push({
      atMs: timestampMs(path, row, columns.timestamp, unit),
      input: intCell(path, row, columns.input, 1),
      output: intCell(path, row, columns.output, 1),
    });
  }
  if (rows.length === 0) throw new TableError(path, undefined, 'the trace has no rows');
  // Array.prototype.sort is stable, so rows with equal timestamps keep their file order.
  rows.sort((a, b) => a.atMs - b.atMs);
  const firstMs = rows[0]?.atMs ?? 0;
  return {
    path,
    offsetsMs: Float64Array.from(rows, (r) => r.atMs - firstMs),
    inputTokens: Uint32Array.from(rows, (r) => r.input),
    outputTokens: Uint32Array.from(rows, (r) => r.output),
  };
}
