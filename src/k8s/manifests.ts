/**
 * The Kubernetes objects of a sharded run (pure): a ConfigMap holding the profile (and the files it
 * refers to), a ReadWriteMany PersistentVolumeClaim the shards write to, an Indexed Job whose
 * completion index is the shard, and a Job that merges the shards and writes the reports.
 *
 * Every shard gets the same `--start-at` (it is in the one pod template), so all start together
 * whatever order the pods are scheduled in. Shard and merge pods mount the claim at the same path
 * with the same subPath (the run's name), so one claim can hold many runs side by side.
 */

export const PROFILE_MOUNT = '/profiles';
export const RESULTS_MOUNT = '/results';
/** What Kubernetes exposes in an Indexed Job's pods (set explicitly too, from the pod's annotation). */
export const INDEX_ENV = 'JOB_COMPLETION_INDEX';

export interface ProfileFile {
  /** Path relative to the profile's directory (e.g. traces/day.csv): where the pod sees it under PROFILE_MOUNT. */
  path: string;
  content: string;
}

export interface RenderInput {
  /** DNS-1123 label: prefix of every object's name, and the run's directory on the claim. */
  name: string;
  namespace?: string;
  image: string;
  shards: number;
  startAtMs: number;
  /** The profile under its own file name (so its default `name` is the same as on your machine). */
  profile: ProfileFile;
  /** Trace, dataset and payload-template files the profile names. */
  files: ProfileFile[];
  pvc: string;
  /** Render the claim itself; false when it exists already. */
  createPvc: boolean;
  storage: string;
  storageClass?: string;
  /** Overrides the profile's target (e.g. sagemaker:my-endpoint, http://tgi.default.svc:8080). */
  target?: string;
  serviceAccount?: string;
  cpu: string;
  memory: string;
}

export interface Manifest {
  /** File name for `kubectl apply -f <dir>` (ordered: claim and profile first). */
  file: string;
  object: Record<string, unknown>;
}

/** A ConfigMap key for a relative path: keys allow only [-._a-zA-Z0-9]. */
export function configMapKey(path: string): string {
  return path.replace(/[^-._a-zA-Z0-9]/g, '_');
}

export function renderManifests(r: RenderInput): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'scalelab', 'app.kubernetes.io/instance': r.name };
  const meta = (suffix: string, component: string): Record<string, unknown> => ({
    name: `${r.name}-${suffix}`,
    ...(r.namespace !== undefined && { namespace: r.namespace }),
    labels: { ...labels, 'app.kubernetes.io/component': component },
  });
  const configMapName = `${r.name}-profile`;
  const startAt = new Date(r.startAtMs).toISOString();
  const results = { name: 'results', mountPath: RESULTS_MOUNT, subPath: r.name };
  const files = [r.profile, ...r.files];
  const volumes = [
    { name: 'profile', configMap: { name: configMapName, items: files.map((f) => ({ key: configMapKey(f.path), path: f.path })) } },
    { name: 'results', persistentVolumeClaim: { claimName: r.pvc } },
  ];
  const container = (name: string, args: string[], env: unknown[] = []): Record<string, unknown> => ({
    name,
    image: r.image,
    command: ['scalelab'],
    args,
    ...(env.length > 0 && { env }),
    resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
    volumeMounts: [{ name: 'profile', mountPath: PROFILE_MOUNT, readOnly: true }, results],
  });
  const podSpec = (c: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    restartPolicy: 'Never',
    ...(r.serviceAccount !== undefined && { serviceAccountName: r.serviceAccount }),
    ...extra,
    containers: [c],
    volumes,
  });
  const shardDir = (index: string): string => `${RESULTS_MOUNT}/shard-${index}`;

  const manifests: Manifest[] = [];
  if (r.createPvc) {
    manifests.push({
      file: '00-results-pvc.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: r.pvc, ...(r.namespace !== undefined && { namespace: r.namespace }), labels: { 'app.kubernetes.io/name': 'scalelab' } },
        spec: {
          accessModes: ['ReadWriteMany'],
          ...(r.storageClass !== undefined && { storageClassName: r.storageClass }),
          resources: { requests: { storage: r.storage } },
        },
      },
    });
  }
  manifests.push({
    file: '01-profile-configmap.yaml',
    object: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('profile', 'profile'),
      data: Object.fromEntries(files.map((f) => [configMapKey(f.path), f.content])),
    },
  });
  manifests.push({
    file: '02-shards-job.yaml',
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('shards', 'shard'),
      spec: {
        completionMode: 'Indexed',
        completions: r.shards,
        parallelism: r.shards,
        // A shard retried later would start after --start-at and be refused: fail the Job instead.
        backoffLimit: 0,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'shard' } },
          spec: podSpec(
            container(
              'shard',
              [
                'run', `${PROFILE_MOUNT}/${r.profile.path}`,
                '--shard', `$(${INDEX_ENV})/${r.shards}`,
                '--start-at', startAt,
                '--out', shardDir(`$(${INDEX_ENV})`),
                ...(r.target !== undefined ? ['--target', r.target] : []),
                '--no-progress',
              ],
              [{ name: INDEX_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }],
            ),
            {
              // One shard per node where possible: the point of sharding is more network and CPU than one machine has.
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: { ...labels, 'app.kubernetes.io/component': 'shard' } },
                },
              ],
            },
          ),
        },
      },
    },
  });
  manifests.push({
    file: '03-merge-job.yaml',
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('merge', 'merge'),
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'merge' } },
          // Every shard is named: a missing one is refused with its index, not silently skipped.
          spec: podSpec(
            container('merge', ['merge', ...Array.from({ length: r.shards }, (_, i) => shardDir(String(i))), '--out', `${RESULTS_MOUNT}/merged`]),
          ),
        },
      },
    },
  });
  return manifests;
}
