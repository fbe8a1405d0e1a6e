/**
 * One request/response exchange, whatever the route: its ground-truth record, and serving a parsed
 * request from a ServingModel — a whole body at the end, or a stream with the mid-stream faults
 * applied. Routes (http-routes.ts, sagemaker-routes.ts) differ only in how chunks are framed.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { FaultKind } from './config.js';
import type { FaultInjector, MidStreamFault } from './faults.js';
import type { FinishReason, ModelHandle, RejectReason, ServingModel } from './model.js';
import type { ApiKind, Protocol, ResponseContext } from './protocols.js';
import type { Ring } from './ring.js';
import { StreamWriter } from './stream-writer.js';

/** Every API the server answers: the OpenAI/TGI ones and SageMaker Runtime's two. */
export type RouteKind = ApiKind | 'sagemaker_invoke' | 'sagemaker_stream';

export type ServerOutcome =
  | 'ok'
  | 'bad_request'
  /** The model's queue was full. */
  | 'rejected'
  /** No copy to serve it (an inference component scaled to zero). */
  | 'no_capacity'
  /** SageMaker: no such endpoint, variant or component, or a missing/forbidden component header. */
  | 'not_found'
  /** A pre-response fault answered. */
  | 'error_injected'
  /** An in-stream exception frame ended the stream. */
  | 'stream_error_injected'
  /** The connection was cut (disconnect, truncatedFrame). */
  | 'disconnect_injected'
  | 'client_aborted'
  | 'server_closed';

/** One API request as the server saw it; instants from the server's clock (epoch ms). */
export interface ServerRequestRecord {
  /** Same id as the model's RequestTiming. */
  id: string;
  api: RouteKind;
  stream: boolean;
  status: number;
  receivedMs: number;
  /** Response headers flushed. */
  headersMs?: number;
  /** First token's bytes handed to the socket. */
  firstTokenWriteMs?: number;
  /** Last byte handed to the socket (res.end). */
  lastByteMs?: number;
  /** The exchange closed (finished or aborted). */
  endMs: number;
  inputTokens: number;
  outputTokens: number;
  outcome: ServerOutcome;
  faults: FaultKind[];
  /** SageMaker routes: the endpoint named in the path, and the variant / component that served. */
  endpoint?: string;
  variant?: string;
  component?: string;
  /** SageMaker routes: X-Amzn-SageMaker-Custom-Attributes as received. */
  customAttributes?: string;
}

/** What every exchange shares with the server. */
export interface ExchangeEnv {
  clock: Clock;
  faults: FaultInjector;
  records: Ring<ServerRequestRecord>;
  isClosing(): boolean;
}

/** How a stream's chunks go on the wire. */
export interface Framing {
  /** Headers of a 200 streaming response. */
  streamHeaders: OutgoingHttpHeaders;
  /** One piece of container output as wire chunks (one, or more when split). */
  encode(text: string): Array<string | Uint8Array>;
  /** Event streams only: in-stream exceptions and damaged frames. Without it those faults do not apply. */
  frames?: {
    exception(fault: Extract<MidStreamFault, { kind: 'modelStreamError' | 'internalStreamFailure' }>): Uint8Array;
    damage(kind: 'corruptFrame' | 'truncatedFrame', frame: Uint8Array): Uint8Array;
  };
}

/** What the model is asked, and how its tokens read. */
export interface Generation {
  model: ServingModel;
  protocol: Protocol;
  ctx: ResponseContext;
  maxOutputTokens: number;
  /** The model rejected the request (full queue, no capacity) before it started: answer with an error. */
  onRejected(reason: RejectReason): void;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/** Reads a JSON request body (at most 16 MiB). */
export async function readJson(req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return { ok: false, status: 413, message: `body larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch (e: unknown) {
    return { ok: false, status: 400, message: `invalid JSON body: ${errorMessage(e)}` };
  }
}

/** Answers with a JSON body (content-type and content-length set). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class Exchange {
  readonly record: ServerRequestRecord;
  private handle: ModelHandle | undefined;

  constructor(
    readonly res: ServerResponse,
    id: string,
    api: RouteKind,
    private readonly env: ExchangeEnv,
  ) {
    this.record = {
      id,
      api,
      stream: false,
      status: 0,
      receivedMs: env.clock.nowMs(),
      endMs: Number.NaN,
      inputTokens: 0,
      outputTokens: 0,
      outcome: 'ok',
      faults: [],
    };
    res.on('close', () => {
      if (!res.writableFinished) {
        this.handle?.cancel();
        if (this.record.outcome === 'ok') this.record.outcome = env.isClosing() ? 'server_closed' : 'client_aborted';
      }
      this.record.status = res.statusCode;
      this.record.endMs = env.clock.nowMs();
      env.records.push(this.record);
    });
  }

  /** Counts an injected fault, globally and on this record. */
  inject(kind: FaultKind): void {
    this.env.faults.count(kind);
    this.record.faults.push(kind);
  }

  sendJson(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
    sendJson(this.res, status, body, headers);
  }

  /** Serves the whole answer as one JSON body once the model finished. */
  serveComplete(gen: Generation, headers: OutgoingHttpHeaders): void {
    this.handle = gen.model.submit(
      { id: this.record.id, inputTokens: gen.ctx.inputTokens, maxOutputTokens: gen.maxOutputTokens },
      {
        onRejected: (_tMs, reason) => gen.onRejected(reason),
        onToken: () => undefined,
        onEnd: (_tMs, info) => {
          this.record.outputTokens = info.outputTokens;
          this.sendJson(200, gen.protocol.completeBody(gen.ctx, info.outputTokens, info.finishReason), headers);
          this.record.headersMs = this.record.lastByteMs = this.env.clock.nowMs();
        },
      },
    );
  }

  /**
   * Streams the answer, one protocol event per token, applying `midStream` faults once their
   * `afterTokens` tokens were emitted (see src/sim/README.md for each). Faults the framing cannot
   * show are skipped and not counted.
   */
  serveStream(gen: Generation, midStream: readonly MidStreamFault[], framing: Framing): void {
    const { clock } = this.env;
    const { record } = this;
    const faults = midStream.filter((f) => framing.frames !== undefined || !FRAME_ONLY.has(f.kind));
    const writer = new StreamWriter(this.res, clock, {
      onWritten: (tMs, token) => {
        if (token && record.firstTokenWriteMs === undefined) record.firstTokenWriteMs = tMs;
      },
      onEnded: (tMs) => {
        record.lastByteMs = tMs;
      },
    });
    let open = true;
    /**
     * slowTokens: after the token at model instant `fromModelMs` (which goes out at `fromDueMs`, later
     * if held), each later model gap goes out stretched by `factor`.
     */
    let slow: { fromModelMs: number; fromDueMs: number; factor: number; counted: boolean } | undefined;
    /** A frame fault waiting for the next frame. */
    let damage: 'corruptFrame' | 'truncatedFrame' | undefined;

    const dueMs = (modelMs: number): number =>
      slow === undefined ? Number.NEGATIVE_INFINITY : slow.fromDueMs + (modelMs - slow.fromModelMs) * slow.factor;

    const stop = (outcome: ServerOutcome): void => {
      open = false;
      record.outcome = outcome;
      this.handle?.cancel();
    };

    const emit = (text: string, token: boolean, modelMs: number): void => {
      const notBeforeMs = dueMs(modelMs);
      if (slow !== undefined && token && !slow.counted) {
        slow.counted = true;
        this.inject('slowTokens');
      }
      const chunks = framing.encode(text);
      for (const [i, chunk] of chunks.entries()) {
        if (damage !== undefined && framing.frames !== undefined && typeof chunk !== 'string') {
          const kind = damage;
          damage = undefined;
          this.inject(kind);
          writer.write(framing.frames.damage(kind, chunk), false, notBeforeMs);
          if (kind === 'truncatedFrame') {
            // The response ends cleanly after half a frame: the client sees a truncated event
            // stream (a reset connection is the `disconnect` fault's).
            writer.end(notBeforeMs);
            stop('stream_error_injected');
            return;
          }
          continue;
        }
        writer.write(chunk, token && i === chunks.length - 1, notBeforeMs);
      }
    };

    const afterTokens = (written: number, modelMs: number): void => {
      for (const fault of faults) {
        if (!open || fault.afterTokens !== written) continue;
        switch (fault.kind) {
          case 'invalidJson':
            this.inject(fault.kind);
            emit(gen.protocol.malformedEvent, false, modelMs);
            break;
          case 'stall':
            this.inject(fault.kind);
            writer.hold(Math.max(clock.nowMs(), dueMs(modelMs)) + fault.durationMs);
            break;
          case 'slowTokens':
            slow = { fromModelMs: modelMs, fromDueMs: writer.releaseAt(Math.max(modelMs, dueMs(modelMs))), factor: fault.factor, counted: false };
            break;
          case 'corruptFrame':
          case 'truncatedFrame':
            damage = fault.kind;
            break;
          case 'modelStreamError':
          case 'internalStreamFailure':
            this.inject(fault.kind);
            writer.write(framing.frames!.exception(fault), false, dueMs(modelMs));
            writer.end(dueMs(modelMs));
            stop('stream_error_injected');
            break;
          case 'disconnect':
            this.inject(fault.kind);
            writer.cut();
            stop('disconnect_injected');
            break;
        }
      }
    };

    let rejected: RejectReason | undefined;
    this.handle = gen.model.submit(
      { id: record.id, inputTokens: gen.ctx.inputTokens, maxOutputTokens: gen.maxOutputTokens },
      {
        onRejected: (_tMs, reason) => {
          rejected = reason;
        },
        onToken: (tMs, index, finish?: FinishReason) => {
          if (!open) return;
          record.outputTokens = index + 1;
          emit(gen.protocol.tokenEvent(gen.ctx, index, finish), true, tMs);
          if (open) afterTokens(index + 1, tMs);
        },
        onEnd: (tMs, info) => {
          if (!open) return;
          const closing = gen.protocol.closingEvents(gen.ctx, info.outputTokens);
          if (closing.length > 0) emit(closing, false, tMs);
          if (open) writer.end(dueMs(tMs));
        },
      },
    );
    if (rejected !== undefined) {
      gen.onRejected(rejected);
      return;
    }
    this.res.writeHead(200, framing.streamHeaders);
    this.res.flushHeaders();
    record.headersMs = clock.nowMs();
    afterTokens(0, clock.nowMs());
  }
}

const FRAME_ONLY: ReadonlySet<FaultKind> = new Set(['corruptFrame', 'truncatedFrame', 'modelStreamError', 'internalStreamFailure']);
