/**
 * How a failed read becomes a warning, so the report is made from what could be read.
 *
 * Each API call the readers make is named by its IAM permission and what the report loses
 * without it. A denied call (AccessDeniedException, AccessDenied, UnauthorizedOperation) gives
 * "<permission> denied: <loss>"; any other error "<permission> failed (<error>): <loss>".
 */
import { errorMessage } from '../lib/errors.js';

export interface CloudRead {
  /** The IAM action, e.g. `cloudwatch:GetMetricData`. */
  permission: string;
  /** What the report lacks when it fails. */
  loss: string;
}

/** The reads, by call. */
export const READS = {
  getMetricData: { permission: 'cloudwatch:GetMetricData', loss: 'metric series are missing from the report' },
  describeAlarms: { permission: 'cloudwatch:DescribeAlarms', loss: 'alarm thresholds and periods are missing (roles come from the policies)' },
  describeAlarmHistory: { permission: 'cloudwatch:DescribeAlarmHistory', loss: 'alarm transitions are missing from the report (no detection figure)' },
  describeScalingActivities: {
    permission: 'application-autoscaling:DescribeScalingActivities',
    loss: 'scaling activities are missing from the report (no reaction figure)',
  },
  describeScalingPolicies: { permission: 'application-autoscaling:DescribeScalingPolicies', loss: 'scaling policies and their alarms are missing from the report' },
  describeEndpointForVariant: { permission: 'sagemaker:DescribeEndpoint', loss: 'the variant could not be looked up; assuming AllTraffic' },
  describeEndpoint: { permission: 'sagemaker:DescribeEndpoint', loss: 'instance-count samples are missing from the report' },
  describeInferenceComponent: { permission: 'sagemaker:DescribeInferenceComponent', loss: 'copy-count samples are missing from the report' },
} as const satisfies Record<string, CloudRead>;

const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

/** True when `e` is an AWS error saying the caller lacks a permission. */
export function isPermissionDenied(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, Code, code } = e as { name?: unknown; Code?: unknown; code?: unknown };
  return [name, Code, code].some((n) => typeof n === 'string' && DENIED.has(n));
}

/** The warning for a failed read. */
export function readWarning(read: CloudRead, e: unknown): string {
  if (isPermissionDenied(e)) return `${read.permission} denied: ${read.loss}`;
  const name = e instanceof Error && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${read.permission} failed (${name}${errorMessage(e)}): ${read.loss}`;
}

/** Warnings without repeats, in the order first seen. */
export class Warnings {
  private readonly seen = new Set<string>();

  add(warning: string): void {
    this.seen.add(warning);
  }

  /** Runs `fn`; on failure records the read's warning and resolves `fallback`. */
  async read<T>(read: CloudRead, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e: unknown) {
      this.add(readWarning(read, e));
      return fallback;
    }
  }

  list(): string[] {
    return [...this.seen];
  }
}
