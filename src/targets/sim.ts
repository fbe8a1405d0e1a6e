/**
 * The in-process target for virtual time (`scalelab simulate`): requests go straight to the
 * simulator's serving model, no sockets, and every instant comes from the model's Clock. The
 * observer sees what an HTTP client would see at zero network latency.
 */
import type { Clock } from '../lib/clock.js';
import type { ModelHandle, ModelListener, ModelRequest } from '../sim/model.js';
import { InvocationError, type InferenceRequest, type Invoker, type StreamObserver } from './types.js';

/** Anything that takes a request and reports its tokens: a ServingModel, or a router over several. */
export interface SimBackend {
  submit(request: ModelRequest, listener: ModelListener): ModelHandle;
}

export interface SimInvokerOptions {
  backend: SimBackend;
  clock: Clock;
  requestTimeoutMs: number;
}

export function createSimInvoker(opts: SimInvokerOptions): Invoker {
  const { backend, clock } = opts;
  return {
    invoke(req: InferenceRequest, obs: StreamObserver, signal: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        let done = false;
        let cancelTimeout: () => void = () => undefined;
        const finish = (end: () => void): void => {
          if (done) return;
          done = true;
          cancelTimeout();
          signal.removeEventListener('abort', onAbort);
          end();
          resolve();
          // Whoever awaits this request (a closed-loop user) continues before virtual time moves on.
          clock.settleSoon?.();
        };
        const fail = (err: InvocationError): void => finish(() => obs.onError(clock.nowMs(), err));
        const onAbort = (): void => {
          handle.cancel();
          fail(new InvocationError({ kind: 'client', code: 'cancelled', message: 'cancelled by the run' }));
        };
        if (signal.aborted) {
          fail(new InvocationError({ kind: 'client', code: 'cancelled', message: 'cancelled by the run' }));
          return;
        }
        obs.onSent(clock.nowMs());
        const handle = backend.submit(
          { id: String(req.seq), inputTokens: req.inputTokens, maxOutputTokens: req.maxOutputTokens },
          {
            onToken(tMs, index) {
              if (done) return;
              if (index === 0) obs.onFirstByte(tMs);
              obs.onTokens(tMs, 1);
            },
            onEnd(tMs, info) {
              finish(() => {
                obs.onUsage({ inputTokens: req.inputTokens, outputTokens: info.outputTokens });
                obs.onEnd(tMs);
              });
            },
            onRejected(tMs, reason) {
              // As SageMaker answers: no capacity is a 400 ValidationError, a full queue a 429.
              const error =
                reason === 'no_capacity'
                  ? new InvocationError({ kind: 'validation', code: 'NoCapacity', httpStatus: 400, message: 'Inference Component has no capacity to process this request.' })
                  : new InvocationError({ kind: 'throttled', code: reason, httpStatus: 429, message: `the simulator rejected the request: ${reason}` });
              finish(() => obs.onError(tMs, error));
            },
          },
        );
        if (done) return; // rejected synchronously
        signal.addEventListener('abort', onAbort, { once: true });
        cancelTimeout = clock.setTimer(clock.nowMs() + opts.requestTimeoutMs, () => {
          handle.cancel();
          fail(new InvocationError({ kind: 'timeout', message: `no complete response within ${opts.requestTimeoutMs} ms` }));
        });
      });
    },
    async close() {},
  };
}
