/**
 * The control plane's configuration: a zod schema for the simulator's config to embed (every
 * value configurable, every value defaulted). Durations are in model time (see scaled-clock.ts).
 *
 * Defaults (shared/FACTS.md):
 * - metric delivery: high-resolution data lands 10 s after it is published plus up to 5 s of
 *   jitter ("10 s + jitter + delays"; the jitter bound is [inferred]); standard data 60 s plus up
 *   to 60 s, i.e. 1–2 minutes ("alarms fire 1–2 minutes after load arrives"); sub-minute data is
 *   kept 3 hours.
 * - alarms: evaluated on the cadence boundary (offset 0), reading 2 periods beyond
 *   EvaluationPeriods [inferred], actions repeated every 60 s while in ALARM.
 * - Application Auto Scaling: cooldowns 300 s; target tracking alarm pairs 3 × 10 s / 90 × 10 s
 *   below 0.9 × target (high resolution) and 3 × 60 s / 15 × 60 s (standard).
 */
import { z } from 'zod';

const nonNegative = z.number().min(0);

const deliverySchema = (lagS: number, jitterS: number) =>
  z.strictObject({
    /** Seconds from publication to visibility. */
    lagS: nonNegative.default(lagS),
    /** Uniform extra delay in [0, jitterS) seconds, from a seeded stream. */
    jitterS: nonNegative.default(jitterS),
  });

const alarmShapeSchema = (periodS: number, datapoints: number, thresholdRatio: number) =>
  z.strictObject({
    periodS: z.number().int().positive().default(periodS),
    /** EvaluationPeriods = DatapointsToAlarm. */
    datapoints: z.number().int().positive().default(datapoints),
    /** Threshold = TargetValue × thresholdRatio. */
    thresholdRatio: z.number().positive().default(thresholdRatio),
  });

export const controlPlaneConfigSchema = z.strictObject({
  /** Seeds delivery jitter and the UUIDs in alarm names, policy ARNs and activity ids. */
  seed: z.number().int().default(1),
  /** The account and region ARNs are minted in. */
  accountId: z.string().regex(/^\d{12}$/).default('123456789012'),
  region: z.string().min(1).default('us-east-1'),
  metrics: z
    .strictObject({
      highResolution: deliverySchema(10, 5).prefault({}),
      standard: deliverySchema(60, 60).prefault({}),
      /** Sub-minute data older than this is rolled up to minutes. */
      highResolutionRetentionS: z.number().positive().default(3 * 3600),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      /** Evaluations happen this long after each cadence boundary (every min(period, 60) s from the epoch). */
      evaluationOffsetS: nonNegative.default(0),
      /** Periods read beyond EvaluationPeriods, so a late datapoint still counts. */
      extraRangePeriods: z.number().int().min(0).default(2),
      /** AlarmActions run again this often while an alarm stays in ALARM. */
      actionRepeatIntervalS: z.number().positive().default(60),
      historyLimit: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  autoscaling: z
    .strictObject({
      /** ScaleOutCooldown, ScaleInCooldown and step Cooldown when a policy gives none. */
      defaultCooldownS: nonNegative.default(300),
      /** Pending → InProgress: how long until the desired capacity reaches the resource. */
      activityStartDelayS: nonNegative.default(0),
      targetTracking: z
        .strictObject({
          highResolution: z
            .strictObject({ high: alarmShapeSchema(10, 3, 1).prefault({}), low: alarmShapeSchema(10, 90, 0.9).prefault({}) })
            .prefault({}),
          standard: z
            .strictObject({ high: alarmShapeSchema(60, 3, 1).prefault({}), low: alarmShapeSchema(60, 15, 0.9).prefault({}) })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type ControlPlaneConfigInput = z.input<typeof controlPlaneConfigSchema>;
export type ControlPlaneConfig = z.output<typeof controlPlaneConfigSchema>;

/** Parses (and defaults) a configuration; throws zod's error on a bad one. */
export function parseControlPlaneConfig(input: ControlPlaneConfigInput = {}): ControlPlaneConfig {
  return controlPlaneConfigSchema.parse(input);
}
