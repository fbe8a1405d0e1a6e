/**
 * The control plane's node:http request handler: CloudWatch (AWS JSON 1.0) and Application Auto
 * Scaling (AWS JSON 1.1), dispatched on `x-amz-target`. It answers `false` without touching a
 * request that is not for it, so the simulator's single server can chain it with its other routes:
 *
 * ```ts
 * const control = createControlPlaneHandler(controlPlane);
 * createServer(async (req, res) => { if (!(await control(req, res))) await otherRoutes(req, res); });
 * ```
 *
 * Requests are not authenticated (SigV4 headers are ignored): the SDK clients only need an
 * endpoint override and any credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../../lib/errors.js';
import type { AlarmService } from '../alarms.js';
import type { AutoScalingService } from '../autoscaling.js';
import { CloudApiError } from '../errors.js';
import type { MetricStore } from '../metric-store.js';
import type { Clock } from '../../../lib/clock.js';
import { AUTOSCALING_CONTENT_TYPE, AUTOSCALING_TARGET_PREFIX, autoScalingError, autoScalingOperations } from './autoscaling.js';
import { CLOUDWATCH_CONTENT_TYPE, CLOUDWATCH_TARGET_PREFIX, cloudWatchError, cloudWatchOperations, type Operation } from './cloudwatch.js';
import { parseJson, readBody, sendJson } from './wire.js';

/** What the handler serves: a ControlPlane has all of these. */
export interface ControlPlaneServices {
  clock: Clock;
  store: MetricStore;
  alarms: AlarmService;
  autoscaling: AutoScalingService;
}

/** Handles a request if it is for CloudWatch or Application Auto Scaling; resolves false otherwise. */
export type ControlPlaneHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface Service {
  prefix: string;
  contentType: string;
  operations: Record<string, Operation>;
  error: (e: CloudApiError) => { status: number; headers: Record<string, string>; body: unknown };
  internalErrorType: string;
  invalidType: string;
}

export function createControlPlaneHandler(services: ControlPlaneServices): ControlPlaneHandler {
  const table: Service[] = [
    {
      prefix: CLOUDWATCH_TARGET_PREFIX,
      contentType: CLOUDWATCH_CONTENT_TYPE,
      operations: cloudWatchOperations(services),
      error: cloudWatchError,
      internalErrorType: 'InternalServiceFault',
      invalidType: 'InvalidParameterValueException',
    },
    {
      prefix: AUTOSCALING_TARGET_PREFIX,
      contentType: AUTOSCALING_CONTENT_TYPE,
      operations: autoScalingOperations(services.autoscaling),
      error: autoScalingError,
      internalErrorType: 'InternalServiceException',
      invalidType: 'ValidationException',
    },
  ];
  let lastRequestId = 0;

  return async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string') return false;
    const service = table.find((s) => target.startsWith(s.prefix));
    if (!service) return false;
    const requestId = `00000000-0000-4000-8000-${String(++lastRequestId).padStart(12, '0')}`;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
      sendJson(res, status, service.contentType, body, { 'x-amzn-requestid': requestId, ...headers });
    try {
      const operation = service.operations[target.slice(service.prefix.length)];
      if (!operation) {
        reply(400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown operation ${target}` });
        return true;
      }
      const input = parseJson(await readBody(req), (m) => new CloudApiError(service.invalidType, m));
      reply(200, operation(input));
    } catch (e: unknown) {
      const apiError = e instanceof CloudApiError ? e : new CloudApiError(service.internalErrorType, `simulated control plane failure: ${errorMessage(e)}`, 500);
      const { status, headers, body } = service.error(apiError);
      reply(status, body, headers);
    }
    return true;
  };
}
