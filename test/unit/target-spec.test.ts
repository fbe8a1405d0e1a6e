import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { parseTargetSpec, SAGEMAKER_CLI_OPTIONS, type TargetOptions, type TargetSpec } from '../../src/targets/target-spec.js';

describe('parseTargetSpec', () => {
  it.each<[string, TargetOptions, TargetSpec]>([
    ['sim', {}, { kind: 'sim' }],
    ['http://127.0.0.1:8000/', {}, { kind: 'http', baseUrl: 'http://127.0.0.1:8000' }],
    ['https://proxy.example/v2', {}, { kind: 'http', baseUrl: 'https://proxy.example/v2' }],
    ['sagemaker:my-endpoint', {}, { kind: 'sagemaker', endpointName: 'my-endpoint', stream: true, client: 'sdk' }],
    [
      'sagemaker:my-endpoint',
      {
        'inference-component': 'ic-1',
        variant: 'AllTraffic',
        'custom-attributes': 'k=v',
        region: 'us-west-2',
        'aws-profile': 'dev',
        'endpoint-url': 'http://127.0.0.1:8080/',
        stream: false,
        'sagemaker-client': 'fast',
      },
      {
        kind: 'sagemaker',
        endpointName: 'my-endpoint',
        inferenceComponent: 'ic-1',
        targetVariant: 'AllTraffic',
        customAttributes: 'k=v',
        region: 'us-west-2',
        profile: 'dev',
        endpointUrl: 'http://127.0.0.1:8080',
        stream: false,
        client: 'fast',
      },
    ],
    [
      'sagemaker:ep?inference-component=ic-2&stream=false&region=eu-central-1&custom-attributes=a%3Db',
      {},
      { kind: 'sagemaker', endpointName: 'ep', inferenceComponent: 'ic-2', region: 'eu-central-1', customAttributes: 'a=b', stream: false, client: 'sdk' },
    ],
    [
      'sagemaker:ep?inference-component=ic-2&region=eu-central-1',
      { 'inference-component': 'ic-3' },
      { kind: 'sagemaker', endpointName: 'ep', inferenceComponent: 'ic-3', region: 'eu-central-1', stream: true, client: 'sdk' },
    ],
    [
      'sagemaker:arn:aws:sagemaker:ap-southeast-2:123456789012:endpoint/llama-3-8b',
      {},
      { kind: 'sagemaker', endpointName: 'llama-3-8b', region: 'ap-southeast-2', stream: true, client: 'sdk' },
    ],
  ])('%s %j', (target, opts, expected) => {
    expect(parseTargetSpec(target, opts)).toEqual(expected);
  });

  it.each<[string, TargetOptions, RegExp]>([
    ['localhost:8000', {}, /only http:\/\/ and https:\/\/ URLs are supported \(or 'sim', or sagemaker:<endpoint>\)/],
    ['my endpoint', {}, /neither 'sim', a URL nor sagemaker:<endpoint>; e\.g\. --target http:\/\/127\.0\.0\.1:8000/],
    ['ftp://x', {}, /only http:\/\/ and https:\/\/ URLs/],
    ['sagemaker:', {}, /'' is not a SageMaker endpoint name .* e\.g\. sagemaker:my-endpoint/],
    ['sagemaker:my_endpoint', {}, /'my_endpoint' is not a SageMaker endpoint name/],
    ['sagemaker:ep?ic=x', {}, /unknown option 'ic'; known: inference-component, variant/],
    ['sagemaker:ep?stream=no', {}, /stream must be true or false/],
    ['sagemaker:ep', { region: 'Oregon' }, /region 'Oregon' is not an AWS region name, e\.g\. --region us-west-2/],
    ['sagemaker:ep', { 'inference-component': 'ic 1' }, /--inference-component 'ic 1' is not a SageMaker name.*e\.g\. --inference-component/],
    ['sagemaker:ep', { 'endpoint-url': 'localhost:8080' }, /e\.g\. --target http:\/\/127\.0\.0\.1:8000/],
    ['sagemaker:ep', { 'sagemaker-client': 'curl' }, /--sagemaker-client must be one of sdk, fast, got 'curl'/],
    ['sagemaker:ep', { 'custom-attributes': 'x'.repeat(1025) }, /at most 1024/],
    ['http://127.0.0.1:8000', { region: 'us-west-2' }, /--region applies to sagemaker: targets only/],
  ])('%s %j → UserError', (target, opts, message) => {
    let error: unknown;
    try {
      parseTargetSpec(target, opts);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('target_invalid');
    expect((error as UserError).message).toMatch(message);
  });

  it('exports a yargs descriptor for every option it reads', () => {
    expect(Object.keys(SAGEMAKER_CLI_OPTIONS).sort()).toEqual(
      ['aws-profile', 'custom-attributes', 'endpoint-url', 'inference-component', 'region', 'sagemaker-client', 'stream', 'variant'],
    );
  });
});
