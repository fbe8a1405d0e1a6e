/**
 * The simulator's HTTP server (node:http), kept thin: the world (world.ts), shared state (faults,
 * ground truth) and dispatch on one port — requests with `x-amz-target` to the AWS JSON APIs
 * (CloudWatch and Application Auto Scaling from cloud/api, SageMaker's control plane from
 * sagemaker-api.ts), SageMaker Runtime paths to sagemaker-routes.ts, everything else to
 * http-routes.ts. Timing lives in the models; the routes only record when bytes actually went out.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, type Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import { createControlPlaneHandler } from './cloud/api/handler.js';
import type { SimConfig } from './config.js';
import type { EndpointRegistry, TargetCounts } from './endpoints.js';
import { sendJson, type ExchangeEnv, type ServerRequestRecord } from './exchange.js';
import { FaultInjector, type InjectedCounts } from './faults.js';
import { httpRoutes } from './http-routes.js';
import type { ServingModel } from './model.js';
import { Ring } from './ring.js';
import { createSageMakerApiHandler } from './sagemaker-api.js';
import { matchSageMakerPath, sageMakerRoutes } from './sagemaker-routes.js';
import { createSimWorld, type SimWorld } from './world.js';

export type { ServerOutcome, ServerRequestRecord } from './exchange.js';

export interface SimServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  config: SimConfig;
  /** Defaults to a RealClock; the models and the recorded instants use it. */
  clock?: Clock;
  /** Control-plane time runs this many times faster than `clock` (world.ts); default 1. */
  timeScale?: number;
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
  /** Everything simulated: models, capacity, control plane, metrics publisher. */
  world: SimWorld;
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
  const world = createSimWorld(config, clock, { ...(options.timeScale !== undefined && { timeScale: options.timeScale }) });
  const { model, endpoints } = world;
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
  const handleSageMaker = sageMakerRoutes({
    env,
    config,
    registry: endpoints,
    nextId,
    onError: (target, status, modelError) => world.publisher.recordError(target, status, modelError),
  });
  const awsJsonApis = [createControlPlaneHandler(world.controlPlane), createSageMakerApiHandler({ endpoints, scope: config.sagemaker })];

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers['x-amz-target'] !== undefined) {
      for (const api of awsJsonApis) if (await api(req, res)) return;
      sendJson(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${String(req.headers['x-amz-target'])}` });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const sagemaker = matchSageMakerPath(path);
    await (sagemaker === undefined ? handleHttp(req, res, path) : handleSageMaker(req, res, sagemaker));
  };

  const server = createServer((req, res) => {
    dispatch(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { error: { message: `simulator failure: ${errorMessage(e)}`, type: 'internal_error' } });
    });
  });
  server.on('connection', (socket) => socket.setNoDelay(true));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e: unknown) {
    world.close(); // its timers would keep the process alive
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    startedMs,
    model,
    endpoints,
    world,
    groundTruth: () => env.records.toArray(),
    injected: () => env.faults.injected(),
    sagemakerCounts: () => endpoints.counts(),
    close: async () => {
      closing = true;
      world.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
