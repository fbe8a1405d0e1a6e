/** `scalelab k8s render`: manifests to run a profile as N shards on a Kubernetes Indexed Job. */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UserError } from '../../lib/errors.js';
import { loadProfile } from '../../profile/index.js';
import { parseStartAt } from '../../runner/shard.js';
import { parseDurationMs, profileFiles, runName, writeManifests } from '../../k8s/render.js';
import { EXIT } from '../exit-codes.js';
import { reportFailure } from '../fail.js';

/** Time to apply the manifests, schedule the pods and pull the image before the shards start. */
const DEFAULT_START_IN = '120s';

interface RenderArgs {
  profile: string;
  shards: number;
  image: string;
  'start-in'?: string;
  'start-at'?: string;
  name?: string;
  pvc: string;
  'create-pvc': boolean;
  storage: string;
  'storage-class'?: string;
  namespace?: string;
  target?: string;
  'service-account'?: string;
  cpu: string;
  memory: string;
  out?: string;
}

function render(args: RenderArgs): void {
  if (!Number.isInteger(args.shards) || args.shards < 1) throw new UserError('shards_invalid', `--shards must be a whole number ≥ 1, got ${args.shards}`);
  const profile = loadProfile(args.profile);
  const nowMs = Date.now();
  const startAtMs = args['start-at'] !== undefined ? parseStartAt(args['start-at'], nowMs) : Math.ceil((nowMs + parseDurationMs(args['start-in'] ?? DEFAULT_START_IN)) / 1000) * 1000;
  const name = args.name ?? runName(profile.name, startAtMs);
  if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(name)) {
    throw new UserError('k8s_name', `--name '${name}' must be lowercase letters, digits and '-', at most 40 characters, starting and ending with a letter or digit`);
  }
  const outDir = args.out ?? join('reports', 'k8s', name);
  const files = writeManifests(
    {
      name,
      ...(args.namespace !== undefined && { namespace: args.namespace }),
      image: args.image,
      shards: args.shards,
      startAtMs,
      profile: { path: basename(args.profile), content: readFileSync(args.profile, 'utf8') },
      files: profileFiles(profile, args.profile),
      pvc: args.pvc,
      createPvc: args['create-pvc'],
      storage: args.storage,
      ...(args['storage-class'] !== undefined && { storageClass: args['storage-class'] }),
      ...(args.target !== undefined && { target: args.target }),
      ...(args['service-account'] !== undefined && { serviceAccount: args['service-account'] }),
      cpu: args.cpu,
      memory: args.memory,
    },
    outDir,
  );
  const ns = args.namespace !== undefined ? ` -n ${args.namespace}` : '';
  const [merge, ...first] = [...files].reverse();
  const lines = [
    `${args.shards} shards of ${profile.name}, starting at ${new Date(startAtMs).toISOString()}; results on claim ${args.pvc} under ${name}/`,
    ...files.map((f) => `  ${f}`),
    '',
    'next (see deploy/k8s/README.md):',
    `  kubectl apply${ns} ${first.reverse().map((f) => `-f ${f}`).join(' ')}`,
    `  kubectl wait${ns} --for=condition=complete --timeout=-1s job/${name}-shards`,
    `  kubectl apply${ns} -f ${merge ?? ''} && kubectl wait${ns} --for=condition=complete --timeout=10m job/${name}-merge`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function k8sCommand(setCode: (c: number) => void): CommandModule {
  return {
    command: 'k8s',
    describe: 'Kubernetes: render the manifests of a sharded run (Indexed Job, profile ConfigMap, results claim, merge Job)',
    builder: (y) =>
      y
        .command<RenderArgs>({
          command: 'render <profile>',
          describe: 'Write the manifests that run <profile> as --shards N pods and merge their run directories',
          builder: (r) =>
            r
              .positional('profile', { type: 'string', demandOption: true, describe: 'profile YAML file' })
              .option('shards', { type: 'number', demandOption: true, describe: 'number of shards N (pods of the Indexed Job)' })
              .option('image', { type: 'string', default: 'scalelab:latest', describe: "container image with 'scalelab' on its PATH (deploy/k8s/Dockerfile)" })
              .option('start-in', { type: 'string', describe: `start this long after rendering: time to apply and pull the image (default ${DEFAULT_START_IN})` })
              .option('start-at', { type: 'string', conflicts: 'start-in', describe: 'start at this instant instead: epoch ms or ISO 8601' })
              .option('name', { type: 'string', describe: 'object name prefix and the run\'s directory on the claim (default <profile>-<start>)' })
              .option('pvc', { type: 'string', default: 'scalelab-results', describe: 'ReadWriteMany PersistentVolumeClaim for the run directories' })
              .option('create-pvc', { type: 'boolean', default: true, describe: 'render the claim (--no-create-pvc to use an existing one)' })
              .option('storage', { type: 'string', default: '10Gi', describe: 'size of the rendered claim' })
              .option('storage-class', { type: 'string', describe: 'storage class of the rendered claim (one that offers ReadWriteMany: EFS, NFS, CephFS…)' })
              .option('namespace', { type: 'string', describe: 'namespace of every object' })
              .option('target', { type: 'string', describe: "override the profile's target, e.g. sagemaker:my-endpoint or http://tgi.default.svc:8080" })
              .option('service-account', { type: 'string', describe: 'service account of the pods (e.g. one with an IAM role for SageMaker)' })
              .option('cpu', { type: 'string', default: '1', describe: 'CPU request per pod' })
              .option('memory', { type: 'string', default: '1Gi', describe: 'memory request and limit per pod' })
              .option('out', { type: 'string', describe: 'directory for the manifests (default reports/k8s/<name>)' }),
          handler: (args) => {
            try {
              render(args);
              setCode(EXIT.ok);
            } catch (e: unknown) {
              setCode(reportFailure(e));
            }
          },
        })
        .demandCommand(1, 'Name an action: render'),
    handler: () => undefined,
  };
}
