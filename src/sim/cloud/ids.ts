/**
 * Identifiers and ARNs, shaped like AWS's. UUIDs come from a seeded stream, so the same seed
 * gives the same alarm names and activity ids (a simulated run is reproducible).
 */
import { createRng, type Rng } from '../../lib/random.js';
import type { AwsIdentity } from './types.js';

/** A version-4-shaped UUID from `rng`. */
export function uuidFrom(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng.next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + Math.floor(rng.next() * 4)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A seeded UUID source. */
export function uuidSource(seed: number): () => string {
  const rng = createRng(seed);
  return () => uuidFrom(rng);
}

export const alarmArn = (id: AwsIdentity, name: string): string => `arn:aws:cloudwatch:${id.region}:${id.accountId}:alarm:${name}`;

/** `arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uuid}:resource/{namespace}/{resourceId}:policyName/{name}`. */
export const scalingPolicyArn = (id: AwsIdentity, uuid: string, namespace: string, resourceId: string, name: string): string =>
  `arn:aws:autoscaling:${id.region}:${id.accountId}:scalingPolicy:${uuid}:resource/${namespace}/${resourceId}:policyName/${name}`;

/** `arn:aws:application-autoscaling:{region}:{account}:scalable-target/{id}`. */
export const scalableTargetArn = (id: AwsIdentity, uuid: string): string =>
  `arn:aws:application-autoscaling:${id.region}:${id.accountId}:scalable-target/${uuid.replace(/-/g, '').slice(0, 28)}`;
