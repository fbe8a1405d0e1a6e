/** `scalelab report <run>`: rebuild summary.json's figures, report.md and report.html from a run directory. */
import type { CommandModule } from 'yargs';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';
import { FINALIZE_CLI_OPTIONS, finalizeOptionsFrom, finalizeRun, formatThresholds, type FinalizeArgs } from '../finalize.js';

interface Args extends FinalizeArgs {
  run: string;
}

export function reportCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'report <run>',
    describe: 'Rebuild the scaling figures, thresholds, report.md and report.html from a run directory',
    builder: (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'run directory' }).options(FINALIZE_CLI_OPTIONS),
    handler: (args) => {
      try {
        const fin = finalizeRun(args.run, finalizeOptionsFrom(args));
        const thresholds = formatThresholds(fin.thresholds);
        if (thresholds) process.stdout.write(thresholds + '\n');
        process.stdout.write(`report: ${fin.reports.md}\nreport: ${fin.reports.html}\n`);
        setCode(fin.exitCode === EXIT.ok ? EXIT.ok : fin.exitCode);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
