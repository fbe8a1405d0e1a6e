/**
 * SageMaker stream decoding, SDK path vs fast path (issue 3, Speed):
 *
 * 1. throughput: decoded stream events per CPU-second of the client, `streams` concurrent streams
 *    of `events` TGI token events each, sent as fast as the server can;
 * 2. paced: the client's CPU cost of 1,000 concurrent streams at 20 tokens/s each for ~20 s.
 *
 * The server is a minimal event-stream server (below, not the simulator: this measures the
 * client) in a child process, pinned to core 1 while the client runs on core 0 when `taskset`
 * exists. CPU is the client's own `process.cpuUsage()` (user + system) over the measured window.
 *
 *   npm run build && taskset -c 0 node dist/bench/sagemaker-decode.js [--quick]
 *
 * Prints each run, then a markdown table of medians of 3 runs (bench/README.md quotes it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { crc32 } from '@aws-crypto/crc32';
import { RealClock } from '../src/lib/clock.js';
import { createSageMakerFastInvoker, createSageMakerInvoker, type SageMakerInvokerOptions } from '../src/targets/sagemaker.js';
import type { InferenceRequest, Invoker, StreamObserver } from '../src/targets/types.js';

// ---- the server (child process) ---------------------------------------------------------------

const HEADERS = { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-sagemaker-content-type': 'text/event-stream' };

/** One PayloadPart message carrying `payload` (our own encoder: the server must stay cheap). */
function payloadPart(payload: string): Buffer {
  const headers = Buffer.concat(
    [
      [':event-type', 'PayloadPart'],
      [':content-type', 'application/octet-stream'],
      [':message-type', 'event'],
    ].map(([name, value]) => {
      const n = Buffer.from(name as string);
      const v = Buffer.from(value as string);
      const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      h.writeUInt8(n.length, 0);
      n.copy(h, 1);
      h.writeUInt8(7, 1 + n.length);
      h.writeUInt16BE(v.length, 2 + n.length);
      v.copy(h, 4 + n.length);
      return h;
    }),
  );
  const body = Buffer.from(payload);
  const total = 16 + headers.length + body.length;
  const m = Buffer.alloc(total);
  m.writeUInt32BE(total, 0);
  m.writeUInt32BE(headers.length, 4);
  m.writeUInt32BE(crc32(m.subarray(0, 8)), 8);
  headers.copy(m, 12);
  body.copy(m, 12 + headers.length);
  m.writeUInt32BE(crc32(m.subarray(0, total - 4)), total - 4);
  return m;
}

const TOKEN = payloadPart('data:{"index":1,"token":{"id":10,"text":" tok","logprob":-0.5,"special":false},"generated_text":null,"details":null}\n\n');
const LAST = (n: number): Buffer =>
  payloadPart(`data:{"index":${n},"token":{"id":2,"text":"</s>","logprob":-0.1,"special":true},"generated_text":"…","details":{"finish_reason":"length","generated_tokens":${n}}}\n\n`);

/** The prompt (TGI `inputs`) carries the script: `burst-<events>` or `paced-<events>-<tokensPerS>`. */
function serve(res: ServerResponse, script: string): void {
  const [mode, eventsText, rateText] = script.split('-');
  const events = Number(eventsText);
  res.writeHead(200, HEADERS);
  if (mode === 'burst') {
    // Writes of 64 events, as a busy server's socket would deliver them, respecting backpressure.
    const batch = Buffer.concat(Array.from({ length: 64 }, () => TOKEN));
    let sent = 0;
    const pump = (): void => {
      while (sent + 64 < events) {
        sent += 64;
        if (!res.write(batch)) {
          res.once('drain', pump);
          return;
        }
      }
      while (sent < events - 1) {
        res.write(TOKEN);
        sent++;
      }
      res.end(LAST(events));
    };
    pump();
    return;
  }
  const gapMs = 1000 / Number(rateText);
  let sent = 0;
  const tick = (): void => {
    if (res.destroyed) return;
    sent++;
    if (sent >= events) {
      res.end(LAST(events));
      return;
    }
    res.write(TOKEN);
    setTimeout(tick, gapMs);
  };
  setTimeout(tick, Math.random() * gapMs);
}

function runServer(): void {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (text: string) => (body += text));
    req.on('end', () => serve(res, (JSON.parse(body) as { inputs: string }).inputs));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

// ---- the client (this process) ----------------------------------------------------------------

interface ServerProcess {
  url: string;
  child: ChildProcess;
}

async function startServer(): Promise<ServerProcess> {
  const script = fileURLToPath(import.meta.url);
  const pinned = existsSync('/usr/bin/taskset') && cpus().length > 1;
  const child = pinned ? spawn('taskset', ['-c', '1', process.execPath, script, '--server']) : spawn(process.execPath, [script, '--server']);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      out += text;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (code ${code})`)));
  });
  return { url, child };
}

type Path = 'sdk' | 'fast';
const FACTORIES: Record<Path, (opts: SageMakerInvokerOptions) => Invoker> = { sdk: createSageMakerInvoker, fast: createSageMakerFastInvoker };
const scripted = (prompt: string): InferenceRequest => ({ seq: 0, stage: 0, intendedMs: 0, prompt, inputTokens: 1, maxOutputTokens: 1 });

interface Measure {
  events: number;
  errors: number;
  cpuS: number;
  wallS: number;
}

/** Runs `streams` concurrent invocations of server script `script`; counts token events and the client's CPU. */
async function measure(path: Path, url: string, script: string, streams: number): Promise<Measure> {
  const clock = new RealClock();
  const invoker = FACTORIES[path]({
    endpointName: 'bench',
    endpointUrl: url,
    region: 'us-east-1',
    stream: true,
    payload: { format: 'tgi' },
    responseFormat: 'auto',
    clock,
    maxConnections: streams,
    requestTimeoutMs: 600_000,
  });
  let events = 0;
  let errors = 0;
  const observer: StreamObserver = {
    onSent: () => undefined,
    onFirstByte: () => undefined,
    onTokens: (_t, n) => void (events += n),
    onUsage: () => undefined,
    onEnd: () => undefined,
    onError: (_t, err) => {
      errors++;
      if (errors === 1) process.stderr.write(`  first error: ${err.kind} ${err.message}\n`);
    },
  };
  // Open the connections and resolve the credentials outside the window (one short stream each).
  await Promise.all(Array.from({ length: streams }, () => invoker.invoke(scripted('burst-1'), observer, new AbortController().signal)));
  events = 0;
  errors = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = clock.nowMs();
  await Promise.all(Array.from({ length: streams }, () => invoker.invoke(scripted(script), observer, new AbortController().signal)));
  const cpu = process.cpuUsage(cpu0);
  const wallS = (clock.nowMs() - wall0) / 1000;
  await invoker.close();
  return { events, errors, cpuS: (cpu.user + cpu.system) / 1e6, wallS };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const repeats = quick ? 1 : 3;
  const burst = { streams: 50, events: quick ? 2000 : 20_000 };
  const paced = { streams: 1000, tokensPerS: 20, durationS: quick ? 5 : 20 };
  const server = await startServer();
  const rows: string[] = [];
  try {
    for (const path of ['sdk', 'fast'] as const) {
      const throughput: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const m = await measure(path, server.url, `burst-${burst.events}`, burst.streams);
        throughput.push(m.events / m.cpuS);
        process.stderr.write(`${path} burst run ${i + 1}: ${m.events} events, ${m.cpuS.toFixed(2)} CPU-s, ${m.wallS.toFixed(2)} s wall, ${m.errors} errors\n`);
      }
      const cores: number[] = [];
      const perEvent: number[] = [];
      const rates: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const events = paced.tokensPerS * paced.durationS;
        const m = await measure(path, server.url, `paced-${events}-${paced.tokensPerS}`, paced.streams);
        cores.push(m.cpuS / m.wallS);
        perEvent.push((m.cpuS * 1e6) / m.events);
        rates.push(m.events / m.wallS);
        process.stderr.write(
          `${path} paced run ${i + 1}: ${m.events} events in ${m.wallS.toFixed(1)} s, ${m.cpuS.toFixed(2)} CPU-s = ${((100 * m.cpuS) / m.wallS).toFixed(1)}% of a core, ${m.errors} errors\n`,
        );
      }
      rows.push(
        `| ${path} | ${Math.round(median(throughput)).toLocaleString('en-US')} | ${(100 * median(cores)).toFixed(1)}% | ${Math.round(median(rates)).toLocaleString('en-US')} | ${median(perEvent).toFixed(1)} |`,
      );
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  const model = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))?.split(':')[1]?.trim();
  process.stdout.write(
    [
      `machine: ${model ?? cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}; medians of ${repeats} run(s)`,
      '',
      `| path | events per CPU-second (${burst.streams} streams × ${burst.events.toLocaleString('en-US')} events, burst) | CPU of ${paced.streams} streams × ${paced.tokensPerS} tok/s (${paced.durationS} s) | events/s achieved (offered ${(paced.streams * paced.tokensPerS).toLocaleString('en-US')}) | µs CPU per event (paced) |`,
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

if (process.argv.includes('--server')) runServer();
else await main(process.argv.slice(2));
