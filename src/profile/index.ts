/**
 * Traffic profiles: YAML files validated by a strict zod schema, expanded into a seeded Schedule.
 *
 * ```ts
 * const profile = loadProfile('profiles/step-load.yaml', { seed: 7 });
 * const schedule = expandSchedule(profile);
 * console.log(formatPlan(profile, schedule));
 * for (const req of schedule.arrivals()) { ... }
 * ```
 */
export { loadProfile, parseProfile, type ProfileOverrides } from './load.js';
export { expandSchedule } from './expand.js';
export { formatPlan, formatDurationMs } from './format.js';
export { profileSchema, ProfileSource, type Profile, type ProfileSpec, type Workload } from './schema.js';
export { shapes, type ShapeKind, type StageEntry } from './shapes.js';
export type { ArrivalProcess } from './arrivals.js';
export type { PlannedRequest, RequestSpec, Schedule, StagePlan } from './types.js';
