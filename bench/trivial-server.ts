/**
 * The trivial server of the benchmarks: an OpenAI-compatible chat endpoint that answers every
 * request at once with the same stream (two content chunks, a usage chunk, `[DONE]`) in a single
 * write, so its own cost per request is as small as node:http allows. Any GET answers 200, which
 * is all the CLI's reachability probe asks.
 *
 * Run as its own process, so it does not share the load generator's core:
 *   node dist/bench/trivial-server.js --port 8000      (port 0: any free port)
 * It prints `listening http://127.0.0.1:<port>` on stdout once it accepts connections.
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const chunk = (body: object): string => `data: ${JSON.stringify(body)}\n\n`;
const base = { id: 'chatcmpl-trivial', object: 'chat.completion.chunk', created: 0, model: 'trivial' };

/** The whole reply: what a real server streams for a two-token answer with `include_usage`. */
export const TRIVIAL_REPLY = Buffer.from(
  chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] }) +
    chunk({ ...base, choices: [{ index: 0, delta: { content: ' world' }, finish_reason: 'stop' }] }) +
    chunk({ ...base, choices: [], usage: { prompt_tokens: 32, completion_tokens: 2, total_tokens: 34 } }) +
    'data: [DONE]\n\n',
);

const HEADERS = { 'content-type': 'text/event-stream', 'content-length': TRIVIAL_REPLY.length };

function main(argv: string[]): void {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: node dist/bench/trivial-server.js [--port N]\n');
    process.exit(2);
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    // Read the request to its end before answering, as a real server does; the body is not parsed.
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') res.writeHead(200, HEADERS).end(TRIVIAL_REPLY);
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('trivial server\n');
    });
  });
  // A cold load generator opens hundreds of connections at once: a short accept queue would drop
  // their SYNs and add the kernel's 1 s retransmit to their latency (net.core.somaxconn caps it).
  server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    process.stdout.write(`listening http://127.0.0.1:${bound}\n`);
  });
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
