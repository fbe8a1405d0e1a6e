/**
 * The experiment's short table (pure): per variant, the first step up's scaling figures and the
 * p99 TTFT and end-to-end latency of the stage that step starts.
 */
import type { EnrichedSummary, Figure, StepUpFigures } from '../correlate/types.js';
import type { RunData } from '../report/run-data.js';

export interface VariantRow {
  variant: string;
  detectionS: number | null;
  reactionS: number | null;
  capacityReadyS: number | null;
  /** The stage the step starts, e.g. "step". */
  stage: string | null;
  ttftP99Ms: number | null;
  e2eP99Ms: number | null;
}

const value = (f: Figure | undefined): number | null => f?.value ?? null;

export function variantRows(runs: readonly { variant: string; run: RunData }[]): VariantRow[] {
  return runs.map(({ variant, run }) => {
    const summary = run.summary as Partial<EnrichedSummary> & RunData['summary'];
    const step = summary.scaling?.steps.find((s): s is StepUpFigures => s.direction === 'up');
    const stage = step ? summary.stages[step.step.stageIndex] : undefined;
    return {
      variant,
      detectionS: value(step?.detectionS),
      reactionS: value(step?.reactionS),
      capacityReadyS: value(step?.capacityReadyS),
      stage: stage?.name ?? null,
      ttftP99Ms: stage?.metrics.ttft?.p99Ms ?? null,
      e2eP99Ms: stage?.metrics.e2e?.p99Ms ?? null,
    };
  });
}

const seconds = (v: number | null): string => (v === null ? '—' : `${v.toFixed(0)} s`);
const ms = (v: number | null): string => (v === null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);

export function formatVariantTable(rows: readonly VariantRow[]): string {
  const stage = rows.find((r) => r.stage !== null)?.stage ?? 'step';
  const table = [
    ['variant', 'detection', 'reaction', 'capacity ready', `p99 TTFT (${stage})`, `p99 e2e (${stage})`],
    ...rows.map((r) => [r.variant, seconds(r.detectionS), seconds(r.reactionS), seconds(r.capacityReadyS), ms(r.ttftP99Ms), ms(r.e2eP99Ms)]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}
