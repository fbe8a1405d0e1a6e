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
  /** Decoded on each access, not kept: a long run's log holds tens of thousands of histograms. */
  readonly histogram: Histogram;
}

/**
 * Reads every interval of a log written by HlogWriter (or any 1.3 log with a BaseTime or
 * StartTime), in file order. Histograms stay compressed until asked for.
 */
export function readHlog(content: string): HlogInterval[] {
  let baseSec = 0;
  const out: HlogInterval[] = [];
  for (const line of content.split('\n')) {
    if (line.startsWith('#')) {
      const base = /^#\[BaseTime: ([\d.]+)/.exec(line) ?? /^#\[StartTime: ([\d.]+)/.exec(line);
      if (base && (line.startsWith('#[BaseTime') || baseSec === 0)) baseSec = Number(base[1]);
      continue;
    }
    const m = /^(?:Tag=([^,]+),)?([\d.]+),([\d.]+),[\d.]+,(\S+)$/.exec(line.trim());
    if (!m) continue;
    const startMs = Math.round((baseSec + Number(m[2])) * 1000 * 1000) / 1000;
    const endMs = Math.round((baseSec + Number(m[2]) + Number(m[3])) * 1000 * 1000) / 1000;
    const encoded = m[4] as string;
    const tag = m[1] ?? '';
    out.push({
      tag,
      startMs,
      endMs,
      get histogram(): Histogram {
        const h = hdr.decodeFromCompressedBase64(encoded);
        h.tag = tag;
        h.startTimeStampMsec = startMs;
        h.endTimeStampMsec = endMs;
        return h;
      },
    });
  }
  return out;
}
