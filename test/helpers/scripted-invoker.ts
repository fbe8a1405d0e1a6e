/**
 * An in-process Invoker on a Clock, for testing the runner in virtual time with exact numbers:
 * the "server" answers each request per a script (first-token delay, tokens, token gap, failure),
 * and can be held by a stall window during which nothing it serves makes progress.
 */
import type { Clock } from '../../src/lib/clock.js';
import { InvocationError, type InferenceRequest, type Invoker, type StreamObserver } from '../../src/targets/types.js';

export interface Script {
  ttftMs: number;
  tokens: number;
  itlMs: number;
  /** Report usage with this output count (otherwise tokens are counted from events). */
  usageTokens?: number;
  /** Fail after this many tokens with this kind. */
  failAfterTokens?: { tokens: number; kind: InvocationError['kind'] };
}

export class ScriptedInvoker implements Invoker {
  readonly sent: { seq: number; sentMs: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly script: (req: InferenceRequest) => Script,
    /** [fromMs, toMs): the server is frozen; anything due inside completes at toMs. */
    private readonly stall?: { fromMs: number; toMs: number },
  ) {}

  private async at(tMs: number, signal: AbortSignal): Promise<number> {
    let t = tMs;
    if (this.stall && t >= this.stall.fromMs && t < this.stall.toMs) t = this.stall.toMs;
    await this.clock.sleepUntil(t, signal);
    return t;
  }

  async invoke(req: InferenceRequest, obs: StreamObserver, signal: AbortSignal): Promise<void> {
    const s = this.script(req);
    const sentMs = this.clock.nowMs();
    this.sent.push({ seq: req.seq, sentMs });
    obs.onSent(sentMs);
    try {
      let t = await this.at(sentMs + s.ttftMs, signal);
      obs.onFirstByte(t);
      for (let i = 0; i < s.tokens; i++) {
        if (i > 0) t = await this.at(t + s.itlMs, signal);
        if (s.failAfterTokens && i === s.failAfterTokens.tokens) {
          obs.onError(t, new InvocationError({ kind: s.failAfterTokens.kind, message: 'scripted failure' }));
          return;
        }
        obs.onTokens(t, 1);
      }
      if (s.usageTokens !== undefined) obs.onUsage({ outputTokens: s.usageTokens });
      obs.onEnd(t);
    } catch {
      obs.onError(this.clock.nowMs(), new InvocationError({ kind: 'client', code: 'cancelled', message: 'cancelled' }));
    }
  }

  async close(): Promise<void> {}
}
