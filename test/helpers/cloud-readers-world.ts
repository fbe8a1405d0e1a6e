/**
 * A world for the cloud readers, in virtual time, on one port (as the simulator serves it):
 * - a ControlPlane (CloudWatch + Application Auto Scaling) whose scalable resource is a
 *   FakeResource `endpoint/llama/variant/AllTraffic`, and whose metric store the test publishes into;
 * - the simulator's SageMaker control-plane API (DescribeEndpoint, DescribeInferenceComponent…)
 *   over a simulated world with endpoint `llama` (variant AllTraffic) and endpoint `ic-ep` with
 *   inference component `ic-1`.
 * The server can answer AccessDeniedException for chosen `x-amz-target`s (forwarding the rest), and
 * stamp its `Date` header from the virtual clock plus a skew, as an AWS region with another clock would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from '../../src/lib/clock.js';
import { createControlPlaneHandler } from '../../src/sim/cloud/api/handler.js';
import { ControlPlane } from '../../src/sim/cloud/control-plane.js';
import { MapResourceRegistry } from '../../src/sim/cloud/types.js';
import { parseSimConfig } from '../../src/sim/config.js';
import { createSageMakerApiHandler } from '../../src/sim/sagemaker-api.js';
import { createSimWorld, type SimWorld } from '../../src/sim/world.js';
import { FakeResource } from './cloud-fake-resource.js';

export const S = 1000;
export const RESOURCE_ID = 'endpoint/llama/variant/AllTraffic';

export interface ReadersWorld {
  clock: VirtualClock;
  plane: ControlPlane;
  resource: FakeResource;
  sim: SimWorld;
  url: string;
  /** x-amz-target of every request, in order. */
  targets: string[];
  /** x-amz-targets answered with AccessDeniedException. */
  deny: Set<string>;
  /** Added to the virtual clock in the `Date` header; undefined: Node's own (wall-clock) Date. */
  dateSkewMs: number | undefined;
  close(): Promise<void>;
}

export interface ReadersWorldOptions {
  startMs: number;
  provisioningDelayMs?: number;
}

export async function startReadersWorld(options: ReadersWorldOptions): Promise<ReadersWorld> {
  const clock = new VirtualClock(options.startMs);
  const resource = new FakeResource(clock, {
    resourceId: RESOURCE_ID,
    scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    initialCapacity: 1,
    provisioningDelayMs: options.provisioningDelayMs ?? 120 * S,
  });
  const plane = new ControlPlane({
    clock,
    resources: new MapResourceRegistry([resource]),
    config: { metrics: { highResolution: { lagS: 10, jitterS: 0 }, standard: { lagS: 60, jitterS: 0 } } },
  });
  const sim = createSimWorld(
    parseSimConfig({
      endpoints: [
        { name: 'llama', variants: [{ name: 'AllTraffic' }] },
        { name: 'ic-ep', inferenceComponents: [{ name: 'ic-1', copyCount: 1 }] },
      ],
    }),
    clock,
  );
  const apis = [createControlPlaneHandler(plane), createSageMakerApiHandler({ endpoints: sim.endpoints, scope: sim.config.sagemaker })];
  const targets: string[] = [];
  const deny = new Set<string>();
  const world = { clock, plane, resource, sim, targets, deny, dateSkewMs: undefined as number | undefined };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target']);
    targets.push(target);
    if (world.dateSkewMs !== undefined) res.setHeader('date', new Date(clock.nowMs() + world.dateSkewMs).toUTCString());
    if (deny.has(target)) {
      for await (const _ of req);
      denied(res, target);
      return;
    }
    for (const api of apis) if (await api(req, res)) return;
    res.writeHead(404);
    res.end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(world, {
    url,
    close: async () => {
      plane.close();
      sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/**
 * AccessDenied as each service words it: CloudWatch (query compatible) names the query code in
 * `x-amzn-query-error` with status 403; the JSON 1.1 services answer 400 with `__type`.
 */
function denied(res: ServerResponse, target: string): void {
  const cloudwatch = target.startsWith('GraniteServiceVersion20100801.');
  const message = `User: arn:aws:sts::123456789012:assumed-role/scalelab/ci is not authorized to perform: ${target.split('.')[1] ?? target}`;
  const body = JSON.stringify({ __type: 'AccessDeniedException', message, Message: message });
  res.writeHead(cloudwatch ? 403 : 400, {
    'content-type': cloudwatch ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    'x-amzn-requestid': '00000000-0000-4000-8000-00000000dead',
    ...(cloudwatch ? { 'x-amzn-query-error': 'AccessDenied;Sender' } : { 'x-amzn-errortype': 'AccessDeniedException' }),
  });
  res.end(body);
}

/** Polls (on the wall clock) until `cond` holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
