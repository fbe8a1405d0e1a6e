/** `scalelab k8s render`: a profile (and the files it names) → manifests on disk. */
import { makeDirs } from '../record/run-dir.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { stringify } from 'yaml';
import { UserError, errorMessage } from '../lib/errors.js';
import type { Profile } from '../profile/index.js';
import { renderManifests, type ProfileFile, type RenderInput } from './manifests.js';

/** A ConfigMap holds at most 1 MiB. */
const CONFIG_MAP_LIMIT_BYTES = 1024 * 1024;

/** The trace, dataset and payload-template paths a profile names, relative to its directory. */
export function referencedPaths(profile: Profile): string[] {
  const paths = profile.stages.flatMap((s) => (s.kind === 'trace' ? [s.path] : []));
  if (profile.workload.kind === 'dataset') paths.push(profile.workload.dataset.path);
  if (profile.payload.templatePath !== undefined) paths.push(profile.payload.templatePath);
  return [...new Set(paths)];
}

/** The files a profile names, read for the ConfigMap; they must lie under the profile's directory. */
export function profileFiles(profile: Profile, profilePath: string): ProfileFile[] {
  const dir = dirname(resolve(profilePath));
  return referencedPaths(profile).map((p) => {
    const rel = normalize(p);
    if (isAbsolute(rel) || rel.startsWith('..')) {
      throw new UserError('k8s_profile_file', `${profilePath}: ${p} lies outside the profile's directory; the pods see only the profile's directory (copy the file next to the profile)`);
    }
    try {
      return { path: rel, content: readFileSync(join(dir, rel), 'utf8') };
    } catch (e: unknown) {
      throw new UserError('k8s_profile_file', `${profilePath}: cannot read ${p}: ${errorMessage(e)}`, { cause: e });
    }
  });
}

/** Writes one YAML file per object into `outDir`; returns their paths. */
export function writeManifests(input: RenderInput, outDir: string): string[] {
  const bytes = Buffer.byteLength(input.profile.content) + input.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (bytes > CONFIG_MAP_LIMIT_BYTES) {
    throw new UserError('k8s_too_big', `the profile and its files take ${(bytes / 1048576).toFixed(1)} MiB, more than a ConfigMap holds (1 MiB): bake them into the image instead`);
  }
  makeDirs(outDir);
  return renderManifests(input).map((m) => {
    const path = join(outDir, m.file);
    writeFileSync(path, stringify(m.object, { lineWidth: 0 }));
    return path;
  });
}

/** A Kubernetes name from a profile name and the start instant: lowercase, [a-z0-9-], at most 40 characters. */
export function runName(profileName: string, startAtMs: number): string {
  const stamp = new Date(startAtMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-').toLowerCase();
  const base = profileName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40 - stamp.length - 1) || 'run';
  return `${base.replace(/-+$/, '')}-${stamp}`;
}

/** Parses `--start-in`: `90`, `90s`, `2m`, `1h`, `500ms`. */
export function parseDurationMs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UserError('duration_invalid', `'${text}' is not a duration such as 90s, 2m or 1h`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unitMs;
}
