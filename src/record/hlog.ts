/**
 * HdrHistogram interval log (format 1.3), the standard text format read by HdrHistogram's own
 * Java/C/JS log readers: one line per tagged histogram per interval,
 * `Tag=<metric>,<start s>,<length s>,<max ms>,<compressed base64>`, times relative to BaseTime.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export class HlogWriter {
  private readonly writer: InstanceType<typeof hdr.HistogramLogWriter>;

  constructor(
    private readonly write: (text: string) => void,
    private readonly baseTimeMs: number,
  ) {
    this.writer = new hdr.HistogramLogWriter(write);
    this.writer.baseTime = baseTimeMs;
  }

  writeHeader(comment: string): void {
    this.writer.outputLogFormatVersion();
    this.write(`#${comment}\n`);
    const startS = (this.baseTimeMs / 1000).toFixed(3);
    this.write(`#[StartTime: ${startS} (seconds since epoch), ${new Date(this.baseTimeMs).toISOString()}]\n`);
    this.write(`#[BaseTime: ${startS} (seconds since epoch)]\n`);
    this.writer.outputLegend();
  }

  /** Writes `h` tagged `tag` for [startMs, endMs) (epoch ms). Values are µs; the max column is ms. */
  writeInterval(tag: string, h: Histogram, startMs: number, endMs: number): void {
    h.tag = tag;
    this.writer.outputIntervalHistogram(h, (startMs - this.baseTimeMs) / 1000, (endMs - this.baseTimeMs) / 1000, 1000);
  }
}

export interface HlogInterval {
  tag: string;
  /** Epoch ms. */
  startMs: number;
  endMs: number;
  histogram: Histogram;
}

/** Reads every interval of a log written by HlogWriter (or any 1.3 log with a BaseTime/StartTime). */
export function readHlog(content: string): HlogInterval[] {
  const reader = new hdr.HistogramLogReader(content);
  const out: HlogInterval[] = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    out.push({ tag: h.tag, startMs: h.startTimeStampMsec, endMs: h.endTimeStampMsec, histogram: h });
  }
  return out;
}
