/** The live progress line on a terminal: one line, rewritten each interval. */
import type { TimelineRow } from '../record/recorder.js';

export interface ProgressTotals {
  done: number;
  errors: number;
  dropped: number;
}

export function progressLine(row: TimelineRow, inFlight: number, totals: ProgressTotals, durationS: number): string {
  const elapsedS = row.offsetS + row.intervalMs / 1000;
  const p99 = row.ttftP99Ms === undefined ? '-' : `${Math.round(row.ttftP99Ms)} ms`;
  return (
    `[${elapsedS.toFixed(0).padStart(4)}/${durationS.toFixed(0)} s] offered ${row.offeredRps.toFixed(1)} req/s` +
    ` | in flight ${inFlight} | done ${totals.done} | errors ${totals.errors} | dropped ${totals.dropped}` +
    ` | p99 TTFT ${p99}`
  );
}

/** Accumulates totals across intervals and writes the line in place on a TTY, or every 10th interval otherwise. */
export function createProgressPrinter(stream: NodeJS.WriteStream, durationS: number): {
  update: (row: TimelineRow, inFlight: number) => void;
  end: () => void;
} {
  const totals: ProgressTotals = { done: 0, errors: 0, dropped: 0 };
  let n = 0;
  let written = false;
  return {
    update(row, inFlight) {
      totals.done += row.completed;
      totals.errors += row.errors + row.timeouts;
      totals.dropped += row.dropped;
      const line = progressLine(row, inFlight, totals, durationS);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        written = true;
      } else if (n++ % 10 === 0) {
        stream.write(line + '\n');
      }
    },
    end() {
      if (written) stream.write('\n');
    },
  };
}
