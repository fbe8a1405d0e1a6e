/** `scalelab merge <run>… --out <dir>`: the N shard run directories of one run → one run directory, with its reports. */
import type { CommandModule } from 'yargs';
import { mergeRuns } from '../../merge/index.js';
import { formatSummary } from '../../record/summary.js';
import { reportFailure } from '../fail.js';
import { FINALIZE_CLI_OPTIONS, finalizeOptionsFrom, finalizeRun, formatThresholds, type FinalizeArgs } from '../finalize.js';

interface Args extends FinalizeArgs {
  runs: string[];
  out: string;
}

export function mergeCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'merge <runs..>',
    describe: "Merge the run directories of a sharded run ('run --shard i/N') into one run directory, and report it",
    builder: (y) =>
      y
        .positional('runs', { type: 'string', array: true, demandOption: true, describe: 'the N shard run directories (any order)' })
        .option('out', { type: 'string', demandOption: true, describe: 'the merged run directory' })
        .options(FINALIZE_CLI_OPTIONS),
    handler: async (args) => {
      try {
        const merged = await mergeRuns(args.runs, args.out);
        process.stdout.write(`merged ${merged.shards} shards${merged.results === undefined ? '' : `, ${merged.results} results`}\n\n`);
        process.stdout.write(formatSummary(merged.summary) + '\n\n');
        if (merged.cloudSkipped.length > 0) {
          process.stdout.write(`cloud.json of the shards left out: run 'scalelab collect ${merged.dir}' to fetch it once for the merged run\n`);
        }
        const fin = finalizeRun(merged.dir, finalizeOptionsFrom(args));
        const thresholds = formatThresholds(fin.thresholds);
        if (thresholds) process.stdout.write(thresholds + '\n\n');
        process.stdout.write(`run directory: ${merged.dir}\nreport: ${fin.reports.html}\n`);
        setCode(fin.exitCode);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
