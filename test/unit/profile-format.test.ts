/** The plan printed by `scalelab validate`. */
import { describe, expect, test } from 'vitest';
import { expandSchedule, formatDurationMs, formatPlan, loadProfile, parseProfile } from '../../src/profile/index.js';

describe('formatPlan', () => {
  test('step-load: header, totals, one row per stage, workload with means', () => {
    const profile = loadProfile('profiles/step-load.yaml');
    const text = formatPlan(profile, expandSchedule(profile));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Profile   step-load (profiles/step-load.yaml)');
    expect(text).toContain('Seed      42');
    expect(text).toContain('Duration  1m0s (+ 10s grace for in-flight requests)');
    expect(text).toContain('Load      240 requests planned (open loop)');
    const header = lines.findIndex((l) => l.trim().startsWith('#  name'));
    expect(lines[header]?.trim().split(/\s{2,}/).map((c) => c.trim())).toEqual([
      '#',
      'name',
      'start',
      'duration',
      'mode',
      'rate / users',
      'requests',
      'description',
    ]);
    expect(lines.slice(header + 1, header + 4).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['0', 'baseline', '0s', '20s', 'open', '2 req/s', '40', 'constant 2 req/s, uniform'],
      ['1', 'step', '20s', '20s', 'open', '8 req/s', '160', 'constant 8 req/s, uniform'],
      ['2', 'recovery', '40s', '20s', 'open', '2 req/s', '40', 'constant 2 req/s, uniform'],
    ]);
    expect(text).toMatch(/input {3}normal\(mean 256, stddev 32, min 64\), mean ≈ 25\d(\.\d+)? tokens/);
    expect(text).toContain('output  fixed 64, mean 64 tokens');
  });

  test('closed loop shows users and no request count; a dataset shows its row means', () => {
    const profile = parseProfile(
      'stages:\n  - { kind: closed, users: 12, durationS: 90 }\n  - { kind: ramp, fromRps: 1, toRps: 3, durationS: 10 }\nworkload: { dataset: { path: tokens.csv } }\n',
      'test/fixtures/profiles/plan.yaml',
    );
    const text = formatPlan(profile, expandSchedule(profile));
    expect(text).toContain('Load      20 requests planned (open loop); up to 12 concurrent users (closed loop');
    expect(text).toMatch(/0 +closed +0s +1m30s +closed +12 users +- +closed loop, 12 users/);
    expect(text).toMatch(/1 +ramp +1m30s +10s +open +1 → 3 req\/s +20 +ramp 1 → 3 req\/s, uniform/);
    expect(text).toContain('dataset tokens.csv (3 rows)');
    expect(text).toContain('input   mean 20 tokens');
    expect(text).toContain('output  mean 2 tokens');
  });
});

test.each([
  [0, '0s'],
  [1500, '1.5s'],
  [59_999, '59.999s'],
  [90_000, '1m30s'],
  [3_600_000, '1h0m0s'],
  [3_725_000, '1h2m5s'],
])('formatDurationMs(%d) = %s', (ms, text) => {
  expect(formatDurationMs(ms)).toBe(text);
});
