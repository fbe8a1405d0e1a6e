/** No Docker engine runs here: check the compose file's and Dockerfile's shape so they cannot silently rot. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadProfile } from '../../src/profile/index.js';
import { loadSimConfig } from '../../src/sim/config.js';

interface Service {
  build?: string;
  command?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const dockerfile = readFileSync('Dockerfile', 'utf8');

/** The value following a flag in a command list. */
const flag = (cmd: string[], name: string): string | undefined => cmd[cmd.indexOf(name) + 1];

describe('docker-compose.yml', () => {
  it('has a sim service serving on the published port and a runner using it', async () => {
    expect(Object.keys(compose.services).sort()).toEqual(['runner', 'sim']);
    const sim = compose.services['sim']!;
    const runner = compose.services['runner']!;
    expect(sim.build).toBe('.');
    expect(runner.build).toBe('.');
    expect(sim.command?.[0]).toBe('sim');
    const port = flag(sim.command!, '--port');
    expect(flag(sim.command!, '--host')).toBe('0.0.0.0');
    expect(sim.ports).toContain(`${port}:${port}`);
    expect(sim.healthcheck?.test.join(' ')).toContain(`:${port}/health`);
    await expect(loadSimConfig(flag(sim.command!, '--config')!)).resolves.toBeDefined();

    expect(runner.command?.[0]).toBe('run');
    expect(flag(runner.command!, '--target')).toBe(`http://sim:${port}`);
    expect(() => loadProfile(runner.command![1]!)).not.toThrow();
    expect(runner.depends_on?.['sim']?.condition).toBe('service_healthy');
    expect(runner.volumes?.some((v) => v.endsWith(':/reports'))).toBe(true);
    expect(flag(runner.command!, '--out')?.startsWith('/reports/')).toBe(true);
  });

  it('the Dockerfile builds the CLI the compose commands call', () => {
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/RUN npm ci/);
    const entry = /ENTRYPOINT \["node", "([^"]+)"\]/.exec(dockerfile)?.[1];
    expect(entry).toBe('dist/src/cli/main.js');
    // The TypeScript that `npm ci` (prepare) compiles to that entry point exists, and so do the copied folders.
    expect(existsSync('src/cli/main.ts')).toBe(true);
    for (const dir of ['profiles', 'sims', 'src', 'bench']) {
      expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
      expect(existsSync(dir)).toBe(true);
    }
  });
});
