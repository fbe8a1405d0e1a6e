/**
 * The simulator's HTTP server (node:http), kept thin: shared state (clock, faults, ground truth) and
 * dispatch — SageMaker Runtime paths to sagemaker-routes.ts, everything else to http-routes.ts. Timing
 * lives in the models; the routes only record when bytes actually went out.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, type Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { SimConfig } from './config.js';
import { EndpointRegistry, type TargetCounts } from './endpoints.js';
import { sendJson, type ExchangeEnv, type ServerRequestRecord } from './exchange.js';
import { FaultInjector, type InjectedCounts } from './faults.js';
import { httpRoutes } from './http-routes.js';
import { ServingModel } from './model.js';
import { Ring } from './ring.js';
import { matchSageMakerPath, sageMakerRoutes } from './sagemaker-routes.js';

export type { ServerOutcome, ServerRequestRecord } from './exchange.js';

export interface SimServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  config: SimConfig;
  /** Defaults to a RealClock; the models and the recorded instants use it. */
  clock?: Clock;
}

export interface SimServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash); also the SageMaker Runtime endpoint URL. */
  url: string;
  port: number;
  /** The clock's instant at start; fault windows are measured from it. */
  startedMs: number;
  /** The top-level model: the OpenAI/TGI routes, and the default SageMaker endpoint when none is configured. */
  model: ServingModel;
  /** The SageMaker endpoints, their variants and components, each with its own model. */
  endpoints: EndpointRegistry;
  /** Server-side records of finished exchanges (every route), oldest first, bounded by model.groundTruthLimit. */
  groundTruth(): ServerRequestRecord[];
  /** Faults injected so far, per kind (every kind present, 0 when none). */
  injected(): InjectedCounts;
  /** Requests routed to each SageMaker variant and component. */
  sagemakerCounts(): TargetCounts[];
  /** Closes the models and every connection. */
  close(): Promise<void>;
}

/** Starts the simulated endpoint on `host:port` (127.0.0.1, a free port by default). */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const { config } = options;
  const clock = options.clock ?? new RealClock();
  const model = new ServingModel(config.model, clock, config.seed);
  const endpoints = new EndpointRegistry(config, clock, model);
  const startedMs = clock.nowMs();
  let closing = false;
  let lastId = 0;
  const env: ExchangeEnv = {
    clock,
    faults: new FaultInjector(config.faults, config.seed, startedMs),
    records: new Ring<ServerRequestRecord>(config.model.groundTruthLimit),
    isClosing: () => closing,
  };
  const nextId = (): string => `sim-${++lastId}`;
  const handleHttp = httpRoutes({ env, config, model, nextId });
  const handleSageMaker = sageMakerRoutes({ env, config, registry: endpoints, nextId });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const sagemaker = matchSageMakerPath(path);
    const handled = sagemaker === undefined ? handleHttp(req, res, path) : handleSageMaker(req, res, sagemaker);
    handled.catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { error: { message: `simulator failure: ${errorMessage(e)}`, type: 'internal_error' } });
    });
  });
  server.on('connection', (socket) => socket.setNoDelay(true));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    startedMs,
    model,
    endpoints,
    groundTruth: () => env.records.toArray(),
    injected: () => env.faults.injected(),
    sagemakerCounts: () => endpoints.counts(),
    close: async () => {
      closing = true;
      model.close();
      endpoints.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
