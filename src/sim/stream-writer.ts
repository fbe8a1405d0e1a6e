/**
 * Writes one streaming response's SSE events as they come, and can hold them back (the stall faults):
 * while held, events queue in order and go out together when the hold ends. Each event is written
 * with its own res.write so tokens leave as the model emits them.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../lib/clock.js';

export interface StreamWriterHooks {
  /** An event actually went out at `tMs` (`token`: it carried a token). */
  onWritten(tMs: number, token: boolean): void;
  /** The response ended at `tMs` (last byte handed to the socket). */
  onEnded(tMs: number): void;
  /** A write due at `tMs` may be held until the returned instant (a stall window), or not. */
  holdUntil(tMs: number): number | undefined;
}

export class StreamWriter {
  private held: Array<{ text: string; token: boolean }> | undefined;
  private endPending = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly clock: Clock,
    private readonly hooks: StreamWriterHooks,
  ) {}

  write(text: string, token: boolean): void {
    if (this.res.destroyed) return;
    if (this.held === undefined) {
      const untilMs = this.hooks.holdUntil(this.clock.nowMs());
      if (untilMs !== undefined) this.hold(untilMs);
    }
    if (this.held !== undefined) {
      this.held.push({ text, token });
      return;
    }
    this.res.write(text);
    this.hooks.onWritten(this.clock.nowMs(), token);
  }

  /** Holds every later write until `untilMs`; no-op while already held. */
  hold(untilMs: number): void {
    if (this.held !== undefined) return;
    const held: Array<{ text: string; token: boolean }> = [];
    this.held = held;
    this.clock.sleepUntil(untilMs).then(() => {
      if (this.held !== held) return;
      this.held = undefined;
      if (this.res.destroyed) return;
      for (const event of held) {
        this.res.write(event.text);
        this.hooks.onWritten(this.clock.nowMs(), event.token);
      }
      if (this.endPending) this.end();
    }, () => undefined);
  }

  get holding(): boolean {
    return this.held !== undefined;
  }

  end(): void {
    if (this.held !== undefined) {
      this.endPending = true;
      return;
    }
    this.res.end();
    this.hooks.onEnded(this.clock.nowMs());
  }
}
