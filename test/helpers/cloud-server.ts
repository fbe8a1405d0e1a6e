/**
 * A control plane served on 127.0.0.1:0 with the real AWS SDK clients pointed at it (dummy
 * credentials, us-east-1, maxAttempts 1). Records each request's content-encoding, so a test can
 * tell a gzip body reached the handler.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createControlPlaneHandler } from '../../src/sim/cloud/api/handler.js';
import type { ControlPlane } from '../../src/sim/cloud/control-plane.js';

export interface CloudServer {
  url: string;
  cloudwatch: CloudWatchClient;
  autoscaling: ApplicationAutoScalingClient;
  /** x-amz-target and content-encoding of every request, in order. */
  requests: { target: string; contentEncoding: string | undefined }[];
  close(): Promise<void>;
}

export async function startCloudServer(plane: ControlPlane): Promise<CloudServer> {
  const handle = createControlPlaneHandler(plane);
  const requests: CloudServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ target: String(req.headers['x-amz-target']), contentEncoding: req.headers['content-encoding'] });
    handle(req, res)
      .then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  const cloudwatch = new CloudWatchClient(config);
  const autoscaling = new ApplicationAutoScalingClient(config);
  return {
    url,
    cloudwatch,
    autoscaling,
    requests,
    close: async () => {
      cloudwatch.destroy();
      autoscaling.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
