/**
 * The simulated control plane: one metric store, CloudWatch alarms and Application Auto Scaling
 * on one Clock, configured by {@link controlPlaneConfigSchema}. The simulator publishes metrics
 * into `store`, registers its capacity model's resources in `resources`, and serves `handler()`
 * (api/handler.ts) on its single server.
 *
 * For a real-time demo with a time scale F, pass a {@link ScaledClock} (factor F): every duration
 * inside (lags, evaluation cadence, alarm windows, cooldowns) then passes F times faster on the
 * wall, while metric periods keep their AWS values in the data.
 */
import type { Clock } from '../../lib/clock.js';
import { deriveSeed } from '../../lib/random.js';
import { AlarmService } from './alarms.js';
import { AutoScalingService } from './autoscaling.js';
import { parseControlPlaneConfig, type ControlPlaneConfig, type ControlPlaneConfigInput } from './config.js';
import { uuidSource } from './ids.js';
import { MetricStore } from './metric-store.js';
import { MapResourceRegistry, type ScalableResourceRegistry } from './types.js';

export { controlPlaneConfigSchema, type ControlPlaneConfig, type ControlPlaneConfigInput } from './config.js';

export interface ControlPlaneOptions {
  clock: Clock;
  /** Parsed config, or input to parse; defaults everywhere. */
  config?: ControlPlaneConfig | ControlPlaneConfigInput;
  /** Where scalable targets find their resources; defaults to an empty {@link MapResourceRegistry}. */
  resources?: ScalableResourceRegistry;
}

export class ControlPlane {
  readonly clock: Clock;
  readonly config: ControlPlaneConfig;
  readonly resources: ScalableResourceRegistry;
  readonly store: MetricStore;
  readonly alarms: AlarmService;
  readonly autoscaling: AutoScalingService;

  constructor(options: ControlPlaneOptions) {
    this.clock = options.clock;
    const config = parseControlPlaneConfig(options.config as ControlPlaneConfigInput);
    this.config = config;
    this.resources = options.resources ?? new MapResourceRegistry();
    const identity = { accountId: config.accountId, region: config.region };
    const ms = (s: number): number => s * 1000;
    this.store = new MetricStore({
      clock: this.clock,
      seed: deriveSeed(config.seed, 'cloud-metric-delivery'),
      highResolution: { lagMs: ms(config.metrics.highResolution.lagS), jitterMs: ms(config.metrics.highResolution.jitterS) },
      standard: { lagMs: ms(config.metrics.standard.lagS), jitterMs: ms(config.metrics.standard.jitterS) },
      highResolutionRetentionMs: ms(config.metrics.highResolutionRetentionS),
    });
    this.alarms = new AlarmService({
      clock: this.clock,
      store: this.store,
      identity,
      evaluationOffsetMs: ms(config.alarms.evaluationOffsetS),
      extraRangePeriods: config.alarms.extraRangePeriods,
      actionRepeatIntervalMs: ms(config.alarms.actionRepeatIntervalS),
      historyLimit: config.alarms.historyLimit,
    });
    this.autoscaling = new AutoScalingService({
      clock: this.clock,
      alarms: this.alarms,
      resources: this.resources,
      identity,
      uuid: uuidSource(deriveSeed(config.seed, 'cloud-uuids')),
      defaultCooldownS: config.autoscaling.defaultCooldownS,
      activityStartDelayMs: ms(config.autoscaling.activityStartDelayS),
      alarmShapes: config.autoscaling.targetTracking,
    });
  }

  /** Stops the alarm timers and resource subscriptions. */
  close(): void {
    this.alarms.close();
    this.autoscaling.close();
  }
}
