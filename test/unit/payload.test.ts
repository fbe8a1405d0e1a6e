import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { parseProfile } from '../../src/profile/index.js';
import { PAYLOAD_FORMATS, parsePayloadTemplate, payloadBody, resolvePayload } from '../../src/targets/payloads.js';
import type { InferenceRequest } from '../../src/targets/types.js';

const req: InferenceRequest = { seq: 1, stage: 0, intendedMs: 0, prompt: 'Say "hi"\n\\ 😀', inputTokens: 5, maxOutputTokens: 32 };

describe('built-in payloads', () => {
  it.each<[keyof typeof PAYLOAD_FORMATS, boolean, object]>([
    ['tgi', true, { inputs: req.prompt, parameters: { max_new_tokens: 32, details: true }, stream: true }],
    ['tgi', false, { inputs: req.prompt, parameters: { max_new_tokens: 32, details: true }, stream: false }],
    ['lmi', true, { inputs: req.prompt, parameters: { max_new_tokens: 32 } }],
    ['openai', true, { messages: [{ role: 'user', content: req.prompt }], max_tokens: 32, stream: true, stream_options: { include_usage: true } }],
    ['openai', false, { messages: [{ role: 'user', content: req.prompt }], max_tokens: 32, stream: false }],
  ])('%s (stream %s)', (format, stream, expected) => {
    expect(JSON.parse(payloadBody({ format })(req, stream))).toEqual(expected);
  });
});

describe('template payloads', () => {
  it('fills {{prompt}} JSON-escaped inside its quotes and {{max_tokens}} as a number, as often as they appear', () => {
    const t = parsePayloadTemplate('body.json', '{"a": "{{prompt}}", "b": "again: {{ prompt }}", "n": {{max_tokens}}, "fixed": true}');
    expect(JSON.parse(t.render(req))).toEqual({ a: req.prompt, b: `again: ${req.prompt}`, n: 32, fixed: true });
    expect(JSON.parse(payloadBody({ format: 'template', template: t })(req, true))).toMatchObject({ n: 32 });
  });

  it.each([
    ['no {{prompt}}', '{"n": {{max_tokens}}}', /body\.json: no \{\{prompt\}\} placeholder/],
    ['no {{max_tokens}}', '{"p": "{{prompt}}"}', /body\.json: no \{\{max_tokens\}\} placeholder/],
    ['neither', '{}', /no \{\{prompt\}\} or \{\{max_tokens\}\}/],
    ['not JSON once filled', '{"p": {{prompt}}, "n": {{max_tokens}}}', /body\.json: not valid JSON once filled in/],
  ])('%s → UserError naming the file, with an example', (_label, text, message) => {
    let error: unknown;
    try {
      parsePayloadTemplate('body.json', text);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('payload_template_invalid');
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).message).toContain('e.g. {"inputs": "{{prompt}}"');
  });

  it('resolvePayload pairs the template format with its template', () => {
    const t = parsePayloadTemplate('x.json', '{"p":"{{prompt}}","n":{{max_tokens}}}');
    expect(resolvePayload('tgi', undefined)).toEqual({ format: 'tgi' });
    expect(resolvePayload('template', t)).toEqual({ format: 'template', template: t });
  });
});

describe('profile payload field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalelab-payload-'));
  const profile = (payload: string): string => `stages:\n  - { kind: constant, rateRps: 1, durationS: 1 }\n${payload}`;

  it('defaults to tgi with auto response detection', () => {
    const p = parseProfile(profile(''), join(dir, 'p.yaml'));
    expect(p.payload).toEqual({ format: 'tgi', response: 'auto' });
    expect(p.source.payloadTemplate).toBeUndefined();
  });

  it('loads a template relative to the profile file', () => {
    writeFileSync(join(dir, 'body.json'), '{"inputs": "{{prompt}}", "parameters": {"max_new_tokens": {{max_tokens}}}}');
    const p = parseProfile(profile('payload: { format: template, templatePath: body.json, response: lmi }'), join(dir, 'p.yaml'));
    expect(p.payload).toEqual({ format: 'template', templatePath: 'body.json', response: 'lmi' });
    expect(JSON.parse(p.source.payloadTemplate?.render(req) ?? '')).toEqual({ inputs: req.prompt, parameters: { max_new_tokens: 32 } });
  });

  it.each([
    ['template without templatePath', 'payload: { format: template }', /payload\.templatePath: give templatePath exactly when format is template/],
    ['templatePath with another format', 'payload: { format: lmi, templatePath: body.json }', /give templatePath exactly when format is template/],
    ['missing template file', 'payload: { format: template, templatePath: nope.json }', /payload template .*nope\.json not found/],
    ['unknown response format', 'payload: { response: xml }', /payload\.response/],
  ])('%s → profile_invalid naming the field', (_label, yaml, message) => {
    expect(() => parseProfile(profile(yaml), join(dir, 'p.yaml'))).toThrow(message);
  });

  it('a template without placeholders → profile_invalid naming the field and the file', () => {
    writeFileSync(join(dir, 'bad.json'), '{"inputs": "x"}');
    expect(() => parseProfile(profile('payload: { format: template, templatePath: bad.json }'), join(dir, 'p.yaml'))).toThrow(
      /p\.yaml:\d+:\d+: payload\.templatePath: payload template .*bad\.json: no \{\{prompt\}\} or \{\{max_tokens\}\} placeholder/,
    );
  });
});
