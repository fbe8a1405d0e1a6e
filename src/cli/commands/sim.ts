/**
 * `scalelab sim`: serve the built-in simulated LLM endpoint, with its SageMaker, CloudWatch and
 * Application Auto Scaling APIs on the same port, until Ctrl-C.
 */
import type { CommandModule } from 'yargs';
import { UserError, errorMessage } from '../../lib/errors.js';
import { loadSimConfig, parseSimConfig } from '../../sim/config.js';
import { startSimServer } from '../../sim/server.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

interface Args {
  port: number;
  host: string;
  config?: string;
  'time-scale': number;
}

export function simCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'sim',
    describe: 'Serve the built-in simulated LLM endpoint (OpenAI-compatible, TGI, SageMaker Runtime) and its control plane (SageMaker, CloudWatch, Application Auto Scaling)',
    builder: (y) =>
      y
        .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 = any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
        .option('config', { type: 'string', describe: 'simulator configuration YAML (see sims/)' })
        .option('time-scale', {
          type: 'number',
          default: 1,
          describe: 'run the control plane (metric periods, lags, alarm windows, cooldowns, provisioning) this many times faster; the model stays real-time',
        }),
    handler: async (args) => {
      try {
        const timeScale = args['time-scale'];
        if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
          throw new UserError('time_scale_invalid', `--time-scale must be a positive number, got ${String(timeScale)}`);
        }
        const config = args.config ? await loadSimConfig(args.config) : parseSimConfig({});
        const server = await startSimServer({ port: args.port, host: args.host, config, timeScale }).catch((e: unknown) => {
          // Where to listen is the user's choice: a taken or impossible port or address is theirs to fix.
          const code = (e as { code?: unknown }).code;
          if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'ERR_SOCKET_BAD_PORT' || code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL') {
            throw new UserError('listen', `cannot listen on ${args.host}:${args.port}: ${errorMessage(e)}; choose another --port or --host`);
          }
          throw e;
        });
        const scaled = timeScale === 1 ? '' : `, control plane ${timeScale}× faster`;
        process.stdout.write(`scalelab sim listening on ${server.url}${scaled} (Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.close();
        setCode(EXIT.ok);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
