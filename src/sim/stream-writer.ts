/**
 * Writes one streaming response's chunks (SSE text or event-stream frames) in order, each no earlier
 * than its own instant: what the stall and slowTokens faults need. Each chunk goes out with its own
 * res.write, so tokens leave as the model emits them; a chunk due later holds back every chunk queued
 * behind it. One clock sleep is pending at a time, for the head of the queue.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../lib/clock.js';

export interface StreamWriterHooks {
  /** A chunk actually went out at `tMs` (`token`: it completed a token). */
  onWritten(tMs: number, token: boolean): void;
  /** The response ended at `tMs` (last byte handed to the socket). */
  onEnded(tMs: number): void;
}

type Step =
  | { kind: 'write'; chunk: string | Uint8Array; token: boolean }
  /** Finish the response normally. */
  | { kind: 'end' }
  /** Close the socket once what was written before has gone out: the client sees the stream cut. */
  | { kind: 'cut' };

export class StreamWriter {
  private readonly queue: Array<{ notBeforeMs: number; step: Step }> = [];
  private floorMs = Number.NEGATIVE_INFINITY;
  private sleeping = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly clock: Clock,
    private readonly hooks: StreamWriterHooks,
  ) {}

  /** Queues `chunk` to go out at `notBeforeMs` at the earliest (and not before an active hold ends). */
  write(chunk: string | Uint8Array, token: boolean, notBeforeMs = Number.NEGATIVE_INFINITY): void {
    this.push({ kind: 'write', chunk, token }, notBeforeMs);
  }

  /** Everything queued from now on waits until `untilMs` at least (a stall). */
  hold(untilMs: number): void {
    this.floorMs = Math.max(this.floorMs, untilMs);
  }

  /** The earliest a chunk queued now for `tMs` can go out (a hold may push it later). */
  releaseAt(tMs: number): number {
    return Math.max(tMs, this.floorMs);
  }

  end(notBeforeMs = Number.NEGATIVE_INFINITY): void {
    this.push({ kind: 'end' }, notBeforeMs);
  }

  /** Cuts the connection after the queued chunks (a disconnect or truncated-frame fault). */
  cut(): void {
    this.push({ kind: 'cut' }, Number.NEGATIVE_INFINITY);
  }

  private push(step: Step, notBeforeMs: number): void {
    this.queue.push({ notBeforeMs: Math.max(notBeforeMs, this.floorMs), step });
    this.drain();
  }

  private drain(): void {
    while (!this.sleeping && this.queue.length > 0) {
      if (this.res.destroyed) {
        this.queue.length = 0;
        return;
      }
      const head = this.queue[0]!;
      if (head.notBeforeMs > this.clock.nowMs()) {
        this.sleeping = true;
        this.clock.sleepUntil(head.notBeforeMs).then(() => {
          this.sleeping = false;
          this.drain();
        }, () => undefined);
        return;
      }
      this.queue.shift();
      this.perform(head.step);
    }
  }

  private perform(step: Step): void {
    switch (step.kind) {
      case 'write':
        this.res.write(step.chunk);
        this.hooks.onWritten(this.clock.nowMs(), step.token);
        return;
      case 'end':
        this.res.end();
        this.hooks.onEnded(this.clock.nowMs());
        return;
      case 'cut':
        // destroySoon: the bytes already written still go out, then the socket closes mid-response.
        if (this.res.socket) this.res.socket.destroySoon();
        else this.res.destroy();
        this.queue.length = 0;
        return;
    }
  }
}
