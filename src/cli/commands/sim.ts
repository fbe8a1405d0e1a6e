/** `scalelab sim`: serve the built-in simulated LLM endpoint until Ctrl-C. */
import type { CommandModule } from 'yargs';
import { loadSimConfig, parseSimConfig } from '../../sim/config.js';
import { startSimServer } from '../../sim/server.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

interface Args {
  port: number;
  host: string;
  config?: string;
}

export function simCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'sim',
    describe: 'Serve the built-in simulated LLM endpoint (OpenAI-compatible and TGI streaming)',
    builder: (y) =>
      y
        .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0 = any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
        .option('config', { type: 'string', describe: 'simulator configuration YAML (see sims/)' }),
    handler: async (args) => {
      try {
        const config = args.config ? await loadSimConfig(args.config) : parseSimConfig({});
        const server = await startSimServer({ port: args.port, host: args.host, config });
        process.stdout.write(`scalelab sim listening on ${server.url} (Ctrl-C to stop)\n`);
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
