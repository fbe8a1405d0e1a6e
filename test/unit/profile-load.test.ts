/** Loading profiles: the ready ones, defaults, and the messages a user sees for mistakes. */
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { expandSchedule, formatPlan, loadProfile, parseProfile } from '../../src/profile/index.js';

const FIXTURES = 'test/fixtures/profiles';
const INLINE = `${FIXTURES}/inline.yaml`;

/** The UserError thrown by `fn`, asserting its code and that it reads as plain words. */
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(UserError);
    const err = e as UserError;
    expect(err.code).toBe('profile_invalid');
    expect(err.message).not.toMatch(/ZodError|"code":|invalid_type|\n\s+at /);
    return err;
  }
  throw new Error('expected a UserError');
}

describe('ready profiles', () => {
  const files = readdirSync('profiles').filter((f) => f.endsWith('.yaml'));

  test('the expected set exists', () => {
    expect(files).toEqual(
      expect.arrayContaining(['closed-loop', 'demo', 'diurnal', 'poisson', 'ramp', 'replay', 'smoke', 'spike', 'step-load'].map((n) => `${n}.yaml`)),
    );
  });

  test.each(files)('%s loads, expands and formats', (file) => {
    const profile = loadProfile(`profiles/${file}`);
    expect(profile.name).toBe(file.replace('.yaml', ''));
    const schedule = expandSchedule(profile);
    expect(schedule.durationMs).toBeGreaterThan(0);
    let count = 0;
    for (const a of schedule.arrivals()) {
      expect(a.inputTokens).toBeGreaterThanOrEqual(1);
      expect(a.outputTokens).toBeGreaterThanOrEqual(1);
      count++;
    }
    const open = schedule.stages.filter((s) => s.mode === 'open');
    expect(count).toBe(open.reduce((sum, s) => sum + (s.expectedRequests ?? 0), 0));
    expect(formatPlan(profile, schedule)).toContain(profile.name);
  });

  test('step-load is the 60 s demo: 40, 160, 40 requests', () => {
    const s = expandSchedule(loadProfile('profiles/step-load.yaml'));
    expect(s.durationMs).toBe(60_000);
    expect(s.stages.map((st) => st.expectedRequests)).toEqual([40, 160, 40]);
    expect(s.rateAt(10_000)).toBe(2);
    expect(s.rateAt(30_000)).toBe(8);
  });

  test('replay reads its 200-row trace relative to the profile file', () => {
    const s = expandSchedule(loadProfile('profiles/replay.yaml'));
    expect(s.stages[0]?.expectedRequests).toBe(200);
  });
});

describe('defaults and overrides', () => {
  test('run options get their defaults; the name defaults to the file name', () => {
    const p = parseProfile('stages: [{ kind: closed, users: 1, durationS: 1 }]', 'somewhere/my-test.yaml');
    expect(p).toMatchObject({
      name: 'my-test',
      description: '',
      seed: 1,
      api: 'openai-chat',
      arrivals: { kind: 'uniform' },
      limits: { maxInFlight: 1000, requestTimeoutS: 120 },
      recording: { intervalMs: 1000, results: true },
      gracePeriodS: 10,
      workload: { kind: 'synthetic', input: { kind: 'fixed', tokens: 256 }, output: { kind: 'fixed', tokens: 64 } },
    });
    expect(p.target).toBeUndefined();
    expect(p.limits.maxRequests).toBeUndefined();
  });

  test('all run options are read', () => {
    const p = parseProfile(
      `
name: full
seed: 5
target: http://localhost:8080
api: tgi
model: llama
limits:
  maxInFlight: 10
  requestTimeoutS: 5
  maxRequests: 100
  maxDurationS: 60
  abortOnErrorRate: { rate: 0.5 }
recording: { intervalMs: 500, results: false }
gracePeriodS: 0
stages: [{ kind: closed, users: 1, durationS: 1 }]
`,
      INLINE,
    );
    expect(p).toMatchObject({
      target: 'http://localhost:8080',
      api: 'tgi',
      model: 'llama',
      limits: { maxInFlight: 10, requestTimeoutS: 5, maxRequests: 100, maxDurationS: 60, abortOnErrorRate: { rate: 0.5, windowS: 30, minRequests: 20 } },
      recording: { intervalMs: 500, results: false },
      gracePeriodS: 0,
    });
  });

  test('the seed override wins over the file', () => {
    expect(parseProfile('seed: 3\nstages: [{ kind: closed, users: 1, durationS: 1 }]', INLINE, { seed: 99 }).seed).toBe(99);
  });

  test('the profile serializes without trace rows', () => {
    const p = loadProfile(`${FIXTURES}/with-trace.yaml`);
    const json = JSON.parse(JSON.stringify(p)) as { source: unknown; stages: unknown[] };
    expect(json.source).toEqual({ path: `${FIXTURES}/with-trace.yaml`, traces: [{ path: expect.stringContaining('trace-ms.csv'), rows: 4 }] });
    expect(json.stages).toHaveLength(1);
  });
});

describe('error messages', () => {
  test('missing file', () => {
    expect(userError(() => loadProfile('profiles/nope.yaml')).message).toBe('profile file profiles/nope.yaml not found');
  });

  test('YAML syntax error gives the line and column', () => {
    const err = userError(() => loadProfile(`${FIXTURES}/bad-syntax.yaml`));
    expect(err.message).toMatch(new RegExp(`^${FIXTURES}/bad-syntax.yaml:5:5: YAML syntax error: Flow sequence in block collection`));
  });

  test('a profile that is not a mapping', () => {
    expect(userError(() => parseProfile('- 1\n- 2', INLINE)).message).toBe(
      `${INLINE}: expected a mapping of profile fields (name, stages, workload, …), got a list`,
    );
  });

  test('unknown kind lists the valid kinds, at the field path and line', () => {
    const err = userError(() =>
      parseProfile('stages:\n  - { kind: constant, rateRps: 1, durationS: 1 }\n  - { kind: stepz, rateRps: 1 }\n', INLINE),
    );
    expect(err.message).toBe(
      `${INLINE}:3:13: stages[1].kind: unknown kind "stepz"; valid kinds: constant, ramp, stairs, spike, sine, closed, trace`,
    );
  });

  test('missing kind', () => {
    expect(userError(() => parseProfile('stages:\n  - { rateRps: 1 }\n', INLINE)).message).toContain('stages[0].kind: is required; valid kinds: constant');
  });

  test('wrong type and out of range values name the field and what is expected', () => {
    const err = userError(() =>
      parseProfile(
        `stages:
  - kind: constant
    rateRps: fast
    durationS: -1
`,
        INLINE,
      ),
    );
    expect(err.message.split('\n')).toEqual([
      `${INLINE}:3:14: stages[0].rateRps: expected a number, got "fast"`,
      `${INLINE}:4:16: stages[0].durationS: must be > 0, got -1`,
    ]);
  });

  test('a typo in a field name is an unknown field, pointed at the key', () => {
    const err = userError(() => parseProfile('stages:\n  - kind: constant\n    rateRPS: 1\n    durationS: 1\n', INLINE));
    expect(err.message).toContain(`${INLINE}:3:14: stages[0]: unknown field "rateRPS" (check the spelling)`);
    expect(err.message).toContain('stages[0].rateRps: is required (expected a number)');
  });

  test('enum values are listed', () => {
    const err = userError(() => parseProfile('api: grpc\nstages: [{ kind: closed, users: 1, durationS: 1 }]', INLINE));
    expect(err.message).toBe(`${INLINE}:1:6: api: expected one of: openai-chat, openai-completions, tgi; got "grpc"`);
  });

  test('an empty stages list', () => {
    expect(userError(() => parseProfile('stages: []', INLINE)).message).toBe(`${INLINE}:1:9: stages: needs at least 1 item(s)`);
  });

  test('whole numbers', () => {
    const err = userError(() => parseProfile('stages: [{ kind: closed, users: 2.5, durationS: 1 }]', INLINE));
    expect(err.message).toContain('stages[0].users: expected a whole number, got 2.5');
  });

  test('cross-field rules name the field to fix', () => {
    const sine = userError(() =>
      parseProfile('stages: [{ kind: sine, meanRps: 2, amplitudeRps: 3, periodS: 10, durationS: 10 }]', INLINE),
    );
    expect(sine.message).toContain('stages[0].amplitudeRps: must be ≤ meanRps (the rate would go negative)');
    const spike = userError(() =>
      parseProfile('stages: [{ kind: spike, baseRps: 1, spikeRps: 5, spikeStartS: 8, spikeDurationS: 5, durationS: 10 }]', INLINE),
    );
    expect(spike.message).toContain('stages[0].spikeDurationS: ends after the shape');
    const gamma = userError(() => parseProfile('arrivals: { kind: gamma }\nstages: [{ kind: closed, users: 1, durationS: 1 }]', INLINE));
    expect(gamma.message).toContain('arrivals: give exactly one of cv');
  });

  test('an unknown arrival process', () => {
    const err = userError(() => parseProfile('arrivals: bursty\nstages: [{ kind: closed, users: 1, durationS: 1 }]', INLINE));
    expect(err.message).toBe(`${INLINE}:1:11: arrivals.kind: unknown kind "bursty"; valid kinds: uniform, poisson, gamma`);
  });

  test('a ramp without fromRps after a closed-loop stage', () => {
    const err = userError(() =>
      parseProfile(
        'stages:\n  - { kind: closed, users: 1, durationS: 1 }\n  - { kind: ramp, toRps: 5, durationS: 1 }\n',
        INLINE,
      ),
    );
    expect(err.message).toBe(
      `${INLINE}:3:5: stages[1].fromRps: is required after a closed-loop or trace stage (there is no rate to ramp from)`,
    );
  });

  test('token distributions are validated too', () => {
    const err = userError(() =>
      parseProfile(
        'stages: [{ kind: closed, users: 1, durationS: 1 }]\nworkload:\n  input: { kind: uniform, min: 10, max: 5 }\n  output: { kind: zipf }\n',
        INLINE,
      ),
    );
    expect(err.message).toContain('workload.input.max: must be ≥ min');
    expect(err.message).toContain('workload.output.kind: unknown kind "zipf"; valid kinds: fixed, uniform, normal, lognormal');
  });

  test('dataset and distributions together', () => {
    const err = userError(() =>
      parseProfile(
        'stages: [{ kind: closed, users: 1, durationS: 1 }]\nworkload:\n  input: { kind: fixed, tokens: 1 }\n  dataset: { path: tokens.csv }\n',
        INLINE,
      ),
    );
    expect(err.message).toContain('workload.dataset: cannot be combined with input/output distributions');
  });

  test('a missing trace file names the profile field and the resolved file', () => {
    const err = userError(() => parseProfile('stages:\n  - { kind: trace, path: missing.csv }\n', INLINE));
    expect(err.message).toMatch(/^test\/fixtures\/profiles\/inline\.yaml:2:\d+: stages\[0\]\.path: trace file .*test\/fixtures\/profiles\/missing\.csv not found$/);
  });

  test('a bad trace row names the trace file and line, and the profile field', () => {
    const err = userError(() => parseProfile('stages:\n  - { kind: trace, path: bad-trace.csv }\n', INLINE));
    expect(err.message).toMatch(/bad-trace\.csv:3: column "input_tokens" must be a whole number ≥ 1, got "abc"/);
    expect(err.message).toContain(`(referred to by ${INLINE}:2:`);
    expect(err.message).toContain('stages[0].path)');
  });

  test('a bad seed override', () => {
    expect(userError(() => parseProfile('stages: [{ kind: closed, users: 1, durationS: 1 }]', INLINE, { seed: -1 })).message).toContain(
      '--seed',
    );
  });

  test('several problems are listed, one per line', () => {
    const err = userError(() => parseProfile('seed: x\ngracePeriodS: -1\nstages: [{ kind: closed, users: 0, durationS: 1 }]', INLINE));
    expect(err.message.split('\n')).toHaveLength(3);
  });
});
