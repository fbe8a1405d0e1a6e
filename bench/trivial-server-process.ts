/** The trivial server (trivial-server.ts) as a child process pinned to its own core. */
import { fileURLToPath } from 'node:url';
import { exited, spawnNodePinned } from './memory-proc.js';

export interface TrivialServerProcess {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Starts the server on a free port and resolves once it listens. */
export async function startTrivialServer(core: number | undefined): Promise<TrivialServerProcess> {
  const script = fileURLToPath(new URL('./trivial-server.js', import.meta.url));
  const child = spawnNodePinned([script, '--port', '0'], core);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      out += text;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the trivial server exited (code ${code}) before listening`)));
    child.once('error', reject);
  });
  return {
    url,
    pid: child.pid ?? -1,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
