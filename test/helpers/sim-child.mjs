// Runs the built simulator (dist/) in its own process so it does not share an event loop with the
// client under test. Prints {"url":…} on start; on a line "truth" on stdin, prints its ground truth.
import { createInterface } from 'node:readline';
import { parseSimConfig } from '../../dist/src/sim/config.js';
import { startSimServer } from '../../dist/src/sim/server.js';

const config = parseSimConfig(JSON.parse(process.argv[2] ?? '{}'));
const sim = await startSimServer({ config });
process.stdout.write(JSON.stringify({ url: sim.url }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'truth') process.stdout.write(JSON.stringify({ truth: sim.groundTruth() }) + '\n');
  if (line === 'close') {
    await sim.close();
    process.exit(0);
  }
}
