/** The one place a thrown value becomes a message and an exit code: users never see a stack trace. */
import { ScalelabError, UserError, errorMessage } from '../lib/errors.js';
import { EXIT } from './exit-codes.js';

export function reportFailure(e: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof UserError) {
    stream.write(`scalelab: ${e.message}\n`);
    return EXIT.usage;
  }
  const code = e instanceof ScalelabError ? ` [${e.code}]` : '';
  stream.write(`scalelab failed${code}: ${errorMessage(e)}\n`);
  if (process.env['SCALELAB_DEBUG'] && e instanceof Error && e.stack) stream.write(`${e.stack}\n`);
  else stream.write('Set SCALELAB_DEBUG=1 for details, and please report this.\n');
  return EXIT.failure;
}
