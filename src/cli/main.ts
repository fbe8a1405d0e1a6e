#!/usr/bin/env node
/** scalelab's command line: yargs commands; argv → options; errors → messages and exit codes. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { toolVersion } from '../lib/version.js';
import { EXIT } from './exit-codes.js';
import { reportFailure } from './fail.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { simCommand } from './commands/sim.js';
import { simulateCommand } from './commands/simulate.js';
import { reportCommand } from './commands/report.js';
import { compareCommand } from './commands/compare.js';
import { collectCommand } from './commands/collect.js';
import { mergeCommand } from './commands/merge.js';
import { k8sCommand } from './commands/k8s.js';
import { experimentCommand } from './commands/experiment.js';

// The AWS SDK warns on every start that its releases after January 2027 need Node 22; the
// versions locked here run on Node 20, and a load tester's output is no place for that notice.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const setCode = (c: number): void => {
    code = c;
  };
  await yargs(argv)
    .scriptName('scalelab')
    .usage('$0 <command> [options]\n\nLoad-test LLM inference endpoints and explain their latency through their autoscaling.')
    .command(runCommand(setCode))
    .command(validateCommand(setCode))
    .command(simCommand(setCode))
    .command(simulateCommand(setCode))
    .command(reportCommand(setCode))
    .command(compareCommand(setCode))
    .command(collectCommand(setCode))
    .command(mergeCommand(setCode))
    .command(k8sCommand(setCode))
    .command(experimentCommand(setCode))
    .demandCommand(1, 'Name a command (see --help): run, simulate, experiment, report, compare, collect, merge, k8s, validate or sim.')
    .strict()
    .version(toolVersion())
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`scalelab: ${msg}\nRun 'scalelab --help' for usage.\n`);
      process.exit(EXIT.usage);
    })
    .parseAsync();
  return code;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportFailure(e);
  },
);
