/**
 * What the autoscaler did after a load step, read from cloud.json: the alarm that detected it, the
 * activity that reacted, and the capacity samples that show the new capacity in service.
 *
 * Directions: a step up looks for scale-out alarms and activities raising desired capacity; a step
 * down for scale-in alarms and activities lowering it. Activities that did not scale
 * (`notScaledReasons`) are not reactions. An activity's direction comes from its `toCapacity`
 * against the desired capacity at t0; without either, from its cause naming an alarm of the
 * direction's role.
 */
import type { AlarmRole, AlarmTransition, CapacitySample, CloudData, ScalingActivity } from '../cloud/types.js';
import type { Figure } from './types.js';

export type Direction = 'up' | 'down';

const ROLE: Record<Direction, AlarmRole> = { up: 'scale-out', down: 'scale-in' };

const sByTime = <T extends { tMs: number }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => a.tMs - b.tMs);

/** The sample in effect at `tMs` (the last at or before it), or undefined before the first. */
export function capacityAt(samples: readonly CapacitySample[], tMs: number): CapacitySample | undefined {
  let found: CapacitySample | undefined;
  for (const s of sByTime(samples)) {
    if (s.tMs > tMs) break;
    found = s;
  }
  return found;
}

function alarmsOfRole(cloud: CloudData, role: AlarmRole): Set<string> {
  return new Set(cloud.alarms.filter((a) => a.role === role).map((a) => a.name));
}

export interface FoundAlarm {
  transition?: AlarmTransition;
  /** Why none was found, in words. */
  reason?: string;
}

/** First transition to ALARM of an alarm of the direction's role in [fromMs, toMs). */
export function firstAlarm(cloud: CloudData, direction: Direction, fromMs: number, toMs: number): FoundAlarm {
  const role = ROLE[direction];
  const names = alarmsOfRole(cloud, role);
  if (names.size === 0) return { reason: `no ${role} alarm in cloud.json (alarms not read, or the policy has none)` };
  const ours = sByTime(cloud.alarmTransitions.filter((t) => names.has(t.alarmName)));
  const transition = ours.find((t) => t.to === 'ALARM' && t.tMs >= fromMs && t.tMs < toMs);
  if (transition) return { transition };
  const before = ours.filter((t) => t.tMs < fromMs);
  const last = before[before.length - 1];
  const already = last?.to === 'ALARM' ? ` (${last.alarmName} was already in ALARM at t0)` : '';
  return { reason: `no ${role} alarm transition to ALARM after t0${already}` };
}

function activityDirection(a: ScalingActivity, desiredBefore: number | undefined, cloud: CloudData): Direction | undefined {
  if (a.toCapacity !== undefined && desiredBefore !== undefined && a.toCapacity !== desiredBefore) {
    return a.toCapacity > desiredBefore ? 'up' : 'down';
  }
  for (const d of ['up', 'down'] as const) {
    for (const name of alarmsOfRole(cloud, ROLE[d])) if (a.cause.includes(name)) return d;
  }
  return undefined;
}

/** First activity of the direction starting in [fromMs, toMs). */
export function firstActivity(
  cloud: CloudData,
  direction: Direction,
  fromMs: number,
  toMs: number,
  desiredBefore: number | undefined,
): { activity?: ScalingActivity; reason?: string } {
  const activity = [...cloud.activities]
    .sort((a, b) => a.startMs - b.startMs)
    .find(
      (a) =>
        a.startMs >= fromMs &&
        a.startMs < toMs &&
        (a.notScaledReasons ?? []).length === 0 &&
        activityDirection(a, desiredBefore, cloud) === direction,
    );
  if (activity) return { activity };
  const word = direction === 'up' ? 'scale-out' : 'scale-in';
  return { reason: cloud.activities.length === 0 ? 'no scaling activities in cloud.json' : `no ${word} activity after t0` };
}

const moved = (direction: Direction, value: number, before: number): boolean => (direction === 'up' ? value > before : value < before);
const reached = (direction: Direction, current: number, target: number): boolean =>
  direction === 'up' ? current >= target : current <= target;

export interface CapacityChange {
  target?: number;
  /** Epoch ms when current capacity reached the target. */
  reachedMs?: number;
  reason?: string;
}

/**
 * Where capacity went after a step and when it got there. The target is the activity's
 * `toCapacity`, else the first desired value past `desiredBefore` in the samples from `fromMs`
 * (the activity's start, or t0 without one; before `windowEndMs`). It is reached at the first
 * sample from then on with current at or past the target (no window: provisioning may outlast the
 * step); without samples, at the end of a successful activity.
 */
export function capacityChange(
  cloud: CloudData,
  direction: Direction,
  fromMs: number,
  windowEndMs: number,
  desiredBefore: number | undefined,
  activity: ScalingActivity | undefined,
): CapacityChange {
  const samples = sByTime(cloud.capacity).filter((s) => s.tMs >= fromMs);
  const target =
    activity?.toCapacity ??
    (desiredBefore === undefined ? undefined : samples.find((s) => s.tMs < windowEndMs && moved(direction, s.desired, desiredBefore))?.desired);
  if (target === undefined) {
    if (cloud.capacity.length === 0) return { reason: 'no capacity samples in cloud.json' };
    return { reason: `desired capacity did not ${direction === 'up' ? 'rise' : 'fall'} after t0` };
  }
  if (cloud.capacity.length === 0) {
    if (activity?.statusCode === 'Successful' && activity.endMs !== undefined) return { target, reachedMs: activity.endMs };
    return { target, reason: 'no capacity samples, and the scaling activity did not end successfully' };
  }
  const hit = samples.find((s) => reached(direction, s.current, target));
  if (hit) return { target, reachedMs: hit.tMs };
  return { target, reason: `current capacity never ${direction === 'up' ? 'reached' : 'fell to'} ${target} in the samples` };
}

/** `(tMs − t0Ms)` in s, or null with the reason. */
export function sinceT0(t0Ms: number, tMs: number | undefined, reason: string | undefined): Figure {
  if (tMs === undefined) return { value: null, reason: reason ?? 'not found' };
  return { value: Math.round(tMs - t0Ms) / 1000 };
}
