/** `scalelab compare <run> <run>…`: runs side by side, with differences and their uncertainty. */
import type { CommandModule } from 'yargs';
import { UserError } from '../../lib/errors.js';
import { writeComparison } from '../../report/index.js';
import { loadRun } from '../../report/run-data.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

interface Args {
  runs: string[];
  out: string;
}

export function compareCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'compare <runs..>',
    describe: 'Compare runs side by side (the first is the reference): compare.md and compare.html',
    builder: (y) =>
      y
        .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'two or more run directories' })
        .option('out', { type: 'string', default: 'reports/compare', describe: 'directory for compare.md and compare.html' }),
    handler: (args) => {
      try {
        if (args.runs.length < 2) throw new UserError('compare_runs', `compare needs at least two run directories, got ${args.runs.length}`);
        const written = writeComparison(args.runs.map(loadRun), args.out);
        process.stdout.write(`comparison: ${written.md}\ncomparison: ${written.html}\n`);
        setCode(EXIT.ok);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
