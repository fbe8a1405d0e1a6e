/** `scalelab validate <profile>`: check a profile and print its expanded plan. */
import type { CommandModule } from 'yargs';
import { expandSchedule, formatPlan, loadProfile } from '../../profile/index.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

interface Args {
  profile: string;
  seed?: number;
}

export function validateCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'validate <profile>',
    describe: 'Check a profile and print its expanded plan (stages, expected requests, duration)',
    builder: (y) =>
      y
        .positional('profile', { type: 'string', demandOption: true, describe: 'profile YAML file' })
        .option('seed', { type: 'number', describe: 'override the profile seed' }),
    handler: (args) => {
      try {
        const profile = loadProfile(args.profile, args.seed === undefined ? {} : { seed: args.seed });
        const schedule = expandSchedule(profile);
        process.stdout.write(formatPlan(profile, schedule) + '\n');
        setCode(EXIT.ok);
      } catch (e: unknown) {
        setCode(reportFailure(e));
      }
    },
  };
}
