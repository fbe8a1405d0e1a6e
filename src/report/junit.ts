/**
 * Threshold results as JUnit XML for CI systems: one <testsuite name="scalelab thresholds"> inside
 * <testsuites>, one <testcase> per threshold, a <failure> with actual vs expected for each that
 * fails. Text and attributes are XML-escaped.
 */
import type { ThresholdResult } from '../correlate/types.js';

/** Escapes for both text and attribute values; drops characters XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface JunitOptions {
  /** ISO timestamp of the run, for the suite's `timestamp` attribute. */
  timestamp?: string;
  /** The run's name, as the testcases' classname suffix (e.g. the profile name). */
  runName?: string;
}

const fmt = (v: number | null, unit: string): string => (v === null ? 'unavailable' : `${v} ${unit}`);

export function thresholdsJunit(results: readonly ThresholdResult[], options: JunitOptions = {}): string {
  const failures = results.filter((r) => !r.pass).length;
  const classname = `scalelab.${options.runName ?? 'run'}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="scalelab" tests="${results.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="scalelab thresholds" tests="${results.length}" failures="${failures}" errors="0" skipped="0"${
      options.timestamp ? ` timestamp="${xmlEscape(options.timestamp)}"` : ''
    }>`,
  ];
  for (const r of results) {
    const name = xmlEscape(`${r.source === 'baseline' ? 'baseline: ' : ''}${r.expression}`);
    if (r.pass) {
      lines.push(`    <testcase classname="${xmlEscape(classname)}" name="${name}"/>`);
      continue;
    }
    const message = `actual ${fmt(r.actual, r.unit)}, expected ${r.op} ${r.expected} ${r.unit}`;
    lines.push(
      `    <testcase classname="${xmlEscape(classname)}" name="${name}">`,
      `      <failure message="${xmlEscape(message)}" type="threshold">${xmlEscape(`${message}${r.reason ? `\n${r.reason}` : ''}`)}</failure>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
