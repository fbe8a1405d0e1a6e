/** `scalelab k8s render`: the manifests' shape, parsed back (no cluster runs here). */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/index.js';
import { INDEX_ENV, configMapKey, type RenderInput } from '../../src/k8s/manifests.js';
import { parseDurationMs, profileFiles, runName, writeManifests } from '../../src/k8s/render.js';

const START = Date.parse('2030-01-01T00:00:00Z');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  /** Parsed YAML: shapes are what the assertions check. */
  spec?: any;
  data?: Record<string, string>;
}

function render(profilePath: string, over: Partial<RenderInput> = {}): { files: string[]; objects: K8sObject[] } {
  const profile = loadProfile(profilePath);
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-k8s-'));
  const files = writeManifests(
    {
      name: runName(profile.name, START), namespace: 'load', image: 'registry.example/scalelab:1', shards: 4, startAtMs: START,
      profile: { path: basename(profilePath), content: readFileSync(profilePath, 'utf8') },
      files: profileFiles(profile, profilePath),
      pvc: 'scalelab-results', createPvc: true, storage: '10Gi', cpu: '1', memory: '1Gi',
      ...over,
    },
    dir,
  );
  expect(readdirSync(dir).sort()).toEqual(files.map((f) => basename(f)).sort());
  return { files, objects: files.map((f) => parse(readFileSync(f, 'utf8')) as K8sObject) };
}

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);

describe('k8s render', () => {
  it('an Indexed Job of N shards with one start instant, a profile ConfigMap, a RWX claim and a merge Job', () => {
    const { objects } = render('profiles/step-load.yaml');
    expect(objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'ConfigMap', 'Job', 'Job']);
    for (const o of objects) expect(o.metadata.namespace).toBe('load');
    const [pvc] = byKind(objects, 'PersistentVolumeClaim');
    expect(pvc?.spec.accessModes).toEqual(['ReadWriteMany']);
    const [cm] = byKind(objects, 'ConfigMap');
    expect(cm?.data?.['step-load.yaml']).toBe(readFileSync('profiles/step-load.yaml', 'utf8'));

    const [shards, merge] = byKind(objects, 'Job');
    expect(shards?.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 0 });
    const pod = shards?.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/scalelab:1');
    const args: string[] = c.args;
    const arg = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(args.slice(0, 2)).toEqual(['run', '/profiles/step-load.yaml']);
    expect(arg('--shard')).toBe(`$(${INDEX_ENV})/4`);
    expect(arg('--out')).toBe(`/results/shard-$(${INDEX_ENV})`);
    // One pod template for every shard: the start instant is the same in each.
    expect(arg('--start-at')).toBe('2030-01-01T00:00:00.000Z');
    expect(c.env).toContainEqual({ name: INDEX_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });

    // The merge Job names every shard directory and sees the volumes where the shards wrote them.
    const m = merge?.spec.template.spec.containers[0];
    expect(m.args).toEqual(['merge', '/results/shard-0', '/results/shard-1', '/results/shard-2', '/results/shard-3', '--out', '/results/merged']);
    expect(m.volumeMounts).toEqual(c.volumeMounts);
    expect(merge?.spec.template.spec.volumes).toEqual(pod.volumes);
    const results = c.volumeMounts.find((v: { name: string }) => v.name === 'results');
    expect(results).toMatchObject({ mountPath: '/results', subPath: shards?.metadata.name.replace(/-shards$/, '') });
    expect(pod.volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: 'scalelab-results' } });
    const profileVolume = pod.volumes.find((v: { name: string }) => v.name === 'profile');
    expect(profileVolume.configMap.name).toBe(cm?.metadata.name);
    expect(c.volumeMounts).toContainEqual({ name: 'profile', mountPath: '/profiles', readOnly: true });
  });

  it('carries the files a profile refers to, at their relative paths; an existing claim is not rendered', () => {
    const { objects } = render('profiles/replay.yaml', { createPvc: false, target: 'sagemaker:my-endpoint' });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Job', 'Job']);
    const [cm] = byKind(objects, 'ConfigMap');
    const trace = 'traces/sample-trace.csv';
    expect(cm?.data?.[configMapKey(trace)]).toBe(readFileSync(join('profiles', trace), 'utf8'));
    const pod = byKind(objects, 'Job')[0]?.spec.template.spec;
    expect(pod.volumes[0].configMap.items).toContainEqual({ key: configMapKey(trace), path: trace });
    const args: string[] = pod.containers[0].args;
    expect(args.slice(args.indexOf('--target'), args.indexOf('--target') + 2)).toEqual(['--target', 'sagemaker:my-endpoint']);
  });

  it('deploy/k8s/example is what render writes today (regenerate it with the command in deploy/k8s/README.md)', () => {
    const { files } = render('profiles/step-load.yaml', { name: 'step-load-example', namespace: undefined, image: 'registry.example.com/scalelab:0.1.0' });
    for (const f of files) expect(readFileSync(f, 'utf8'), basename(f)).toBe(readFileSync(join('deploy/k8s/example', basename(f)), 'utf8'));
  });

  it('names and durations', () => {
    expect(runName('Step Load!', START)).toBe('step-load-20300101-000000');
    expect(runName('a'.repeat(80), START)).toMatch(/^a+-20300101-000000$/);
    expect(runName('a'.repeat(80), START).length).toBeLessThanOrEqual(40);
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(() => parseDurationMs('soon')).toThrow(/90s/);
  });
});
