/**
 * A run directory's contents → the model report.md and report.html render. Pure: the scaling
 * figures and thresholds come in already computed (or are computed here from the run alone).
 */
import { analysisOptionsFromRun, enrichSummary } from '../correlate/enrich.js';
import { buildTimeline } from '../correlate/timeline.js';
import type { ScalingSummary, ThresholdResult, TimelineModel } from '../correlate/types.js';
import { buildRunCharts } from './render-charts.js';
import { fmtInstant, fmtSigned, fmtMs } from './render-format.js';
import type { RunHeader, RunReportModel, StageView } from './render-model.js';
import type { RunData } from './run-data.js';

export interface RunModelInputs {
  scaling?: ScalingSummary;
  thresholds?: ThresholdResult[];
  timeline?: TimelineModel;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function runHeader(run: RunData): RunHeader {
  const info = run.run;
  const target = [info.target.kind, info.target.api, info.target.url].filter((p) => p !== undefined && p !== '').join(' · ');
  const cloud = run.cloud;
  const offset = cloud?.clockOffsetMs !== undefined ? ` · clock offset ${fmtSigned(cloud.clockOffsetMs, fmtMs)}` : '';
  return {
    title: `scalelab report: ${info.profile.name}`,
    profile: info.profile.name,
    target,
    startedIso: fmtInstant(info.startMs),
    durationS: run.summary.run.durationS,
    stopReason: info.stopReason ?? 'completed',
    ...(info.stopDetail !== undefined && { stopDetail: info.stopDetail }),
    seed: info.profile.seed,
    intervalS: info.intervalMs / 1000,
    tool: `${info.tool.name} ${info.tool.version} (Node ${info.node})`,
    ...(cloud && { cloud: `${cloud.source}${cloud.region !== undefined ? ` ${cloud.region}` : ''} · ${cloud.resource.resourceId}${offset}` }),
  };
}

function stageViews(run: RunData): StageView[] {
  return run.summary.stages.map((s) => {
    const plan = run.run.plan.stages.find((p) => p.index === s.index);
    return {
      index: s.index,
      name: s.name,
      ...(plan && plan.description !== s.name && { description: plan.description }),
      startS: round3((s.startMs - run.run.startMs) / 1000),
      endS: round3((s.endMs - run.run.startMs) / 1000),
      counts: s.counts,
      metrics: s.metrics,
    };
  });
}

/**
 * The scaling figures and thresholds: as given, else as an enriched summary.json holds them, else
 * computed from the run directory alone (the SLO and thresholds recorded in run.json).
 */
function analysis(run: RunData, inputs: RunModelInputs): { scaling: ScalingSummary; thresholds: ThresholdResult[] } {
  if (inputs.scaling && inputs.thresholds) return { scaling: inputs.scaling, thresholds: inputs.thresholds };
  const stored = run.summary as { scaling?: ScalingSummary; thresholds?: ThresholdResult[] };
  const enriched = stored.scaling && stored.thresholds ? { scaling: stored.scaling, thresholds: stored.thresholds } : enrichSummary(run, analysisOptionsFromRun(run));
  return { scaling: inputs.scaling ?? enriched.scaling, thresholds: inputs.thresholds ?? enriched.thresholds };
}

export function buildRunReportModel(run: RunData, inputs: RunModelInputs = {}): RunReportModel {
  const { scaling, thresholds } = analysis(run, inputs);
  const timeline = inputs.timeline ?? buildTimeline(run, { stepThresholdPct: scaling.settings.stepThresholdPct });
  const warnings = run.cloud?.warnings ?? [];
  return {
    header: runHeader(run),
    totals: run.summary.totals,
    metrics: run.summary.metrics,
    stages: stageViews(run),
    scaling: {
      steps: scaling.steps,
      settings: scaling.settings,
      notes: scaling.notes.filter((n) => !warnings.includes(n)),
      ...(scaling.cost && { cost: scaling.cost }),
    },
    thresholds,
    warnings,
    charts: buildRunCharts(run, timeline),
  };
}
