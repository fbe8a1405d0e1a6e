/**
 * One request's observer: collects its named instants into a RequestResult, and feeds the
 * recorder what must be recorded as it happens (lag at send, inter-token gaps at each token).
 */
import type { InvocationError, InferenceRequest, StreamObserver, TokenSource } from '../targets/types.js';
import type { Outcome, RequestResult } from '../record/types.js';
import type { Recorder } from '../record/recorder.js';

export class RequestTracker implements StreamObserver {
  private sentMs?: number;
  private firstByteMs?: number;
  private firstTokenMs?: number;
  private lastTokenMs?: number;
  private eventTokens = 0;
  private usageOutputTokens?: number;
  private usageInputTokens?: number;
  private done = false;

  constructor(
    private readonly req: InferenceRequest,
    private readonly recorder: Recorder,
    private readonly onDone: (r: RequestResult) => void,
  ) {}

  onSent(tMs: number): void {
    if (this.sentMs !== undefined) return;
    this.sentMs = tMs;
    this.recorder.sent(this.req.stage, this.req.intendedMs, tMs);
  }

  onFirstByte(tMs: number): void {
    this.firstByteMs ??= tMs;
  }

  onTokens(tMs: number, count: number): void {
    if (count <= 0 || this.done) return;
    if (this.lastTokenMs === undefined) this.firstTokenMs = tMs;
    else this.recorder.interToken(this.req.stage, tMs - this.lastTokenMs, count);
    this.lastTokenMs = tMs;
    this.eventTokens += count;
  }

  onUsage(usage: { inputTokens?: number; outputTokens?: number }): void {
    if (usage.outputTokens !== undefined) this.usageOutputTokens = usage.outputTokens;
    if (usage.inputTokens !== undefined) this.usageInputTokens = usage.inputTokens;
  }

  onEnd(tMs: number): void {
    this.finish(tMs, 'ok');
  }

  onError(tMs: number, err: InvocationError): void {
    const outcome: Outcome =
      err.kind === 'timeout' ? 'timeout' : err.kind === 'client' && err.code === 'cancelled' ? 'cancelled' : 'error';
    this.finish(tMs, outcome, err);
  }

  private finish(endMs: number, outcome: Outcome, err?: InvocationError): void {
    if (this.done) return;
    this.done = true;
    const fromUsage = this.usageOutputTokens !== undefined;
    const tokenSource: TokenSource | undefined = fromUsage ? 'usage' : this.eventTokens > 0 ? 'events' : undefined;
    const r: RequestResult = {
      seq: this.req.seq,
      stage: this.req.stage,
      intendedMs: this.req.intendedMs,
      endMs,
      inputTokens: this.usageInputTokens ?? this.req.inputTokens,
      outputTokens: this.usageOutputTokens ?? this.eventTokens,
      outcome,
    };
    if (this.sentMs !== undefined) r.sentMs = this.sentMs;
    if (this.firstByteMs !== undefined) r.firstByteMs = this.firstByteMs;
    if (this.firstTokenMs !== undefined) r.firstTokenMs = this.firstTokenMs;
    if (this.lastTokenMs !== undefined) r.lastTokenMs = this.lastTokenMs;
    if (tokenSource) r.tokenSource = tokenSource;
    if (err) r.error = err.toJSON();
    this.onDone(r);
  }

  /** True once onEnd or onError was seen. */
  get ended(): boolean {
    return this.done;
  }
}
