/**
 * Token-count datasets: a CSV or JSONL file of (input, output) token counts, e.g. measured from
 * real traffic. Requests sample rows uniformly with their seeded stream.
 */
import { intCell, readTable, TableError } from './table.js';

/** Column names of a dataset or trace file; matching ignores case, `_`, `-` and spaces. */
export interface TokenColumns {
  input: string;
  output: string;
}

export const DEFAULT_TOKEN_COLUMNS: TokenColumns = { input: 'input_tokens', output: 'output_tokens' };

/** Rows held as two typed arrays: a dataset of 100k rows is 800 kB. */
export interface Dataset {
  path: string;
  inputTokens: Uint32Array;
  outputTokens: Uint32Array;
}

/** Parses a dataset file's text; throws TableError with the file and line on a bad row. */
export function parseDataset(path: string, text: string, columns: TokenColumns = DEFAULT_TOKEN_COLUMNS): Dataset {
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (const row of readTable(path, text)) {
    inputs.push(intCell(path, row, columns.input, 1));
    outputs.push(intCell(path, row, columns.output, 1));
  }
  if (inputs.length === 0) throw new TableError(path, undefined, 'the dataset has no rows');
  return { path, inputTokens: Uint32Array.from(inputs), outputTokens: Uint32Array.from(outputs) };
}

export function datasetMeans(d: Dataset): { input: number; output: number } {
  const mean = (a: Uint32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  return { input: mean(d.inputTokens), output: mean(d.outputTokens) };
}
