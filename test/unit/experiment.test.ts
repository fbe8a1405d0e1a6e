/** Experiment files (validation, messages naming file and field) and the planner's exact requests. */
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/experiment/load.js';
import { baselineCall, formatPlan, planVariant, scalingResource } from '../../src/experiment/plan.js';

const BASE = `
name: e
profile: ../profiles/p.yaml
target: sagemaker:llama3-8b
resource: { endpoint: llama3-8b, variant: AllTraffic }
variants:
  - name: a
    minCapacity: 1
    maxCapacity: 2
    targetTracking: { predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, targetValue: 5, scaleOutCooldownS: 300 }
  - name: b
    minCapacity: 1
    maxCapacity: 3
    stepScaling:
      alarm: { metric: ConcurrentRequestsPerModel, stat: Maximum, periodS: 10, evaluationPeriods: 3, threshold: 5 }
      steps: [{ lower: 0, upper: 10, adjustment: 1 }, { lower: 10, adjustment: 2 }]
      cooldownS: 120
`;

const messageOf = (text: string): string => {
  try {
    parseExperiment(text, 'experiments/x.yaml');
  } catch (e: unknown) {
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('experiment files', () => {
  it('fills in defaults and resolves the profile against the file', () => {
    const e = parseExperiment(BASE, '/work/experiments/x.yaml');
    expect(e.profilePath).toBe('/work/profiles/p.yaml');
    expect(e.baseline).toEqual({ waitForMin: { timeoutS: 1800 } });
    expect(e.settleS).toBe(0);
    expect(e.timeScale).toBe(1);
    expect(e.variants[1]!.stepScaling).toMatchObject({ adjustmentType: 'ChangeInCapacity', metricAggregationType: 'Average' });
  });

  it.each([
    [BASE.replace('targetValue: 5,', 'targetValue: 5, targetValu: 4,'), 'experiments/x.yaml: variants[0].targetTracking: unknown field "targetValu"'],
    [BASE.replace('minCapacity: 1\n    maxCapacity: 3', 'minCapacity: 4\n    maxCapacity: 3'), 'experiments/x.yaml: variants[1].minCapacity: minCapacity must not exceed maxCapacity'],
    [BASE.replace('predefinedMetric: SageMakerVariantConcurrentRequestsPerModelHighResolution, ', ''), 'experiments/x.yaml: variants[0].targetTracking: give exactly one of predefinedMetric or customizedMetric'],
    [BASE.replace('  - name: b', '  - name: a'), "experiments/x.yaml: variants[1].name: 'a' is used twice"],
    [BASE.replace('profile: ../profiles/p.yaml\n', ''), 'experiments/x.yaml: profile: is required'],
    [BASE.replace('    targetTracking: { predefinedMetric', '    stepScaling: { alarm: { metric: X, threshold: 1 }, steps: [{ adjustment: 1 }] }\n    targetTracking: { predefinedMetric'), 'experiments/x.yaml: variants[0]: give exactly one of targetTracking or stepScaling'],
  ])('names the file and the field: %#', (text, expected) => {
    expect(messageOf(text)).toContain(expected);
  });

  it('plans the exact requests of each variant', () => {
    const e = parseExperiment(BASE, 'x.yaml');
    const resource = scalingResource(e.resource, 'llama3-8b');
    const ids = { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/llama3-8b/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' };
    const a = planVariant(e, e.variants[0]!, resource);
    expect(a.register.input).toEqual({ ...ids, MinCapacity: 1, MaxCapacity: 2 });
    expect(a.putPolicy.input).toEqual({
      PolicyName: 'scalelab-e-a',
      ...ids,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 5,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
        ScaleOutCooldown: 300,
        DisableScaleIn: false,
      },
    });
    expect(a.putAlarm).toBeUndefined();
    const b = planVariant(e, e.variants[1]!, resource);
    expect(b.putPolicy.input['StepScalingPolicyConfiguration']).toEqual({
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Average',
      Cooldown: 120,
      StepAdjustments: [
        { ScalingAdjustment: 1, MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10 },
        { ScalingAdjustment: 2, MetricIntervalLowerBound: 10 },
      ],
    });
    expect(b.putAlarm?.input).toEqual({
      AlarmName: 'scalelab-e-b-alarm',
      Namespace: 'AWS/SageMaker',
      MetricName: 'ConcurrentRequestsPerModel',
      Dimensions: [
        { Name: 'EndpointName', Value: 'llama3-8b' },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      Statistic: 'Maximum',
      Period: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('plans the baseline request for a variant or an inference component', () => {
    const e = parseExperiment(BASE.replace('variants:', 'baseline: { setDesired: 1 }\nvariants:'), 'x.yaml');
    expect(baselineCall(e, scalingResource(e.resource, 'llama3-8b'))).toEqual({
      service: 'sagemaker',
      operation: 'UpdateEndpointWeightsAndCapacities',
      input: { EndpointName: 'llama3-8b', DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 1 }] },
    });
    const ic = scalingResource({ inferenceComponent: 'ic-1' }, 'llama3-8b');
    expect(ic.ids.ResourceId).toBe('inference-component/ic-1');
    expect(baselineCall(e, ic)).toEqual({
      service: 'sagemaker',
      operation: 'UpdateInferenceComponentRuntimeConfig',
      input: { InferenceComponentName: 'ic-1', DesiredRuntimeConfig: { CopyCount: 1 } },
    });
  });

  it('prints a plan with every variant\'s requests', () => {
    const e = parseExperiment(BASE, 'x.yaml');
    const plan = formatPlan(e, scalingResource(e.resource, 'llama3-8b'));
    expect(plan).toContain('nothing was changed');
    expect(plan).toContain('application-autoscaling RegisterScalableTarget {"ServiceNamespace":"sagemaker","ResourceId":"endpoint/llama3-8b/variant/AllTraffic","ScalableDimension":"sagemaker:variant:DesiredInstanceCount","MinCapacity":1,"MaxCapacity":3}');
    expect(plan).toContain('cloudwatch PutMetricAlarm {"AlarmName":"scalelab-e-b-alarm"');
    expect(plan).toContain('"AlarmActions":["<PolicyARN from PutScalingPolicy>"]');
  });
});
