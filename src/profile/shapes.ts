/**
 * Traffic shapes: the entries of a profile's `stages` list. Each is a strict zod object with a `kind`
 * literal plus an `expand` function that turns it into one or more segments (stages of the plan);
 * the registry below is the single list of shapes, and the `stages` union is built from it.
 *
 * Open-loop shapes take an optional `arrivals` process (else the profile's); `closed` runs N users;
 * `trace` replays a file's send times.
 */
import { z } from 'zod';
import type { Trace, TimestampUnit } from '../workload/trace.js';
import { arrivalProcessSchema, describeArrivals, type ArrivalProcess } from './arrivals.js';
import { FieldError } from './issues.js';
import { linearCurve, sineCurve, type RateCurve } from './rate.js';

/** What a segment offers: a rate curve with an arrival process, a trace's own times, or N users. */
export type SegmentLoad =
  | {
      kind: 'rate';
      curve: RateCurve;
      arrivals: ArrivalProcess;
      /** Shown in the plan; a sine shows its mean for both. */
      startRateRps: number;
      endRateRps: number;
      /** The rate the curve ends at, where a following ramp without `fromRps` starts. */
      finalRateRps: number;
    }
  | { kind: 'trace'; trace: Trace; speedup: number }
  | { kind: 'closed'; users: number };

/** One stage of the plan, before it is placed on the run's timeline. */
export interface Segment {
  name: string;
  durationMs: number;
  description: string;
  load: SegmentLoad;
}

export interface ExpandContext {
  /** Final rate of the previous segment; 0 before the first; null after a closed or trace stage. */
  previousRateRps: number | null;
  defaultArrivals: ArrivalProcess;
  /** The trace file loaded for this entry (trace entries only). */
  trace(): Trace;
}

const rateRps = z.number().min(0);
const durationS = z.number().positive();
const common = { name: z.string().min(1).optional() };
const openCommon = { ...common, arrivals: arrivalProcessSchema.optional() };

/** A registry entry: the entry's schema, and its expansion typed by that schema's output. */
interface ShapeDef<S extends z.ZodType<{ kind: string }>> {
  schema: S;
  expand(entry: z.infer<S>, ctx: ExpandContext): Segment[];
}

/** What every registry entry satisfies. */
interface AnyShapeDef {
  schema: z.ZodType<{ kind: string }>;
  expand(entry: never, ctx: ExpandContext): Segment[];
}

/** Types each registry entry's `expand` by its own schema (inference alone would not). */
function defineShape<S extends z.ZodType<{ kind: string }>>(def: ShapeDef<S>): ShapeDef<S> {
  return def;
}

/** A rate for descriptions: at most 3 decimals, no trailing zeros. */
function fmtRate(rps: number): string {
  return String(Number(rps.toFixed(3)));
}

function fmtRps(rps: number): string {
  return `${fmtRate(rps)} req/s`;
}

/** One open segment at a linear rate (constant when fromRps = toRps). */
function linearSegment(
  name: string,
  fromRps: number,
  toRps: number,
  durS: number,
  arrivals: ArrivalProcess,
  what: string,
): Segment {
  return {
    name,
    durationMs: durS * 1000,
    description: `${what}, ${describeArrivals(arrivals)}`,
    load: {
      kind: 'rate',
      curve: linearCurve(fromRps, toRps, durS),
      arrivals,
      startRateRps: fromRps,
      endRateRps: toRps,
      finalRateRps: toRps,
    },
  };
}

export const shapes = {
  /** A fixed rate for a duration. */
  constant: defineShape({
    schema: z.strictObject({ kind: z.literal('constant'), ...openCommon, rateRps, durationS }),
    expand: (e, ctx) => [
      linearSegment(e.name ?? 'constant', e.rateRps, e.rateRps, e.durationS, e.arrivals ?? ctx.defaultArrivals, `constant ${fmtRps(e.rateRps)}`),
    ],
  }),

  /** A linear ramp to `toRps`, from `fromRps` or else from the previous stage's final rate (0 first). */
  ramp: defineShape({
    schema: z.strictObject({ kind: z.literal('ramp'), ...openCommon, fromRps: rateRps.optional(), toRps: rateRps, durationS }),
    expand: (e, ctx) => {
      const fromRps = e.fromRps ?? ctx.previousRateRps;
      if (fromRps === null) {
        throw new FieldError(['fromRps'], 'is required after a closed-loop or trace stage (there is no rate to ramp from)');
      }
      const what = `ramp ${fmtRate(fromRps)} → ${fmtRps(e.toRps)}`;
      return [linearSegment(e.name ?? 'ramp', fromRps, e.toRps, e.durationS, e.arrivals ?? ctx.defaultArrivals, what)];
    },
  }),

  /** `steps` constant stages of `stepDurationS`: startRps, startRps + stepRps, … (stepRps may be negative). */
  stairs: defineShape({
    schema: z
      .strictObject({
        kind: z.literal('stairs'),
        ...openCommon,
        startRps: rateRps,
        stepRps: z.number(),
        stepDurationS: durationS,
        steps: z.int().min(1),
      })
      .refine((e) => e.startRps + e.stepRps * (e.steps - 1) >= 0, {
        path: ['stepRps'],
        message: 'makes the last step negative: startRps + stepRps × (steps − 1) must be ≥ 0',
      }),
    expand: (e, ctx) =>
      Array.from({ length: e.steps }, (_, i) => {
        const r = e.startRps + e.stepRps * i;
        const what = `step ${i + 1}/${e.steps}: ${fmtRps(r)}`;
        return linearSegment(`${e.name ?? 'stairs'} ${i + 1}`, r, r, e.stepDurationS, e.arrivals ?? ctx.defaultArrivals, what);
      }),
  }),

  /** baseRps, then spikeRps for spikeDurationS from spikeStartS, then baseRps until durationS. */
  spike: defineShape({
    schema: z
      .strictObject({
        kind: z.literal('spike'),
        ...openCommon,
        baseRps: rateRps,
        spikeRps: rateRps,
        spikeStartS: z.number().min(0),
        spikeDurationS: durationS,
        durationS,
      })
      .refine((e) => e.spikeStartS + e.spikeDurationS <= e.durationS, {
        path: ['spikeDurationS'],
        message: 'ends after the shape: spikeStartS + spikeDurationS must be ≤ durationS',
      }),
    expand: (e, ctx) => {
      const name = e.name ?? 'spike';
      const arrivals = e.arrivals ?? ctx.defaultArrivals;
      const afterS = e.durationS - e.spikeStartS - e.spikeDurationS;
      const parts: [string, number, number, string][] = [
        [`${name}: before`, e.baseRps, e.spikeStartS, 'base'],
        [`${name}: spike`, e.spikeRps, e.spikeDurationS, 'spike'],
        [`${name}: after`, e.baseRps, afterS, 'base'],
      ];
      return parts
        .filter(([, , durS]) => durS > 0)
        .map(([n, r, durS, what]) => linearSegment(n, r, r, durS, arrivals, `${what} ${fmtRps(r)}`));
    },
  }),

  /**
   * Sine / diurnal: λ(t) = meanRps + amplitudeRps·sin(2πt/periodS + phase). phaseDeg 0 starts at the
   * mean, rising; −90 starts at the trough, 90 at the peak.
   */
  sine: defineShape({
    schema: z
      .strictObject({
        kind: z.literal('sine'),
        ...openCommon,
        meanRps: z.number().positive(),
        amplitudeRps: rateRps,
        periodS: durationS,
        phaseDeg: z.number().default(0),
        durationS,
      })
      .refine((e) => e.amplitudeRps <= e.meanRps, {
        path: ['amplitudeRps'],
        message: 'must be ≤ meanRps (the rate would go negative)',
      }),
    expand: (e, ctx) => {
      const arrivals = e.arrivals ?? ctx.defaultArrivals;
      const curve = sineCurve(e.meanRps, e.amplitudeRps, e.periodS, (e.phaseDeg * Math.PI) / 180, e.durationS);
      return [
        {
          name: e.name ?? 'sine',
          durationMs: e.durationS * 1000,
          description: `sine ${e.meanRps} ± ${e.amplitudeRps} req/s, period ${e.periodS}s, ${describeArrivals(arrivals)}`,
          load: {
            kind: 'rate',
            curve,
            arrivals,
            startRateRps: e.meanRps,
            endRateRps: e.meanRps,
            finalRateRps: curve.rateAt(e.durationS),
          },
        },
      ];
    },
  }),

  /** Closed loop: `users` concurrent users, each sending its next request when the previous ends. */
  closed: defineShape({
    schema: z.strictObject({ kind: z.literal('closed'), ...common, users: z.int().min(1), durationS }),
    expand: (e) => [
      {
        name: e.name ?? 'closed',
        durationMs: e.durationS * 1000,
        description: `closed loop, ${e.users} user${e.users === 1 ? '' : 's'}`,
        load: { kind: 'closed', users: e.users },
      },
    ],
  }),

  /**
   * Replays a CSV/JSONL trace (path relative to the profile file), `speedup` times faster. The stage
   * lasts `durationS` (rows after it are cut) or by default until the whole second after the last row.
   */
  trace: defineShape({
    schema: z.strictObject({
      kind: z.literal('trace'),
      ...common,
      path: z.string().min(1),
      speedup: z.number().positive().default(1),
      timestampUnit: z.enum(['s', 'ms']).default('s') satisfies z.ZodType<TimestampUnit>,
      columns: z
        .strictObject({ timestamp: z.string().min(1).optional(), input: z.string().min(1).optional(), output: z.string().min(1).optional() })
        .optional(),
      durationS: durationS.optional(),
    }),
    expand: (e, ctx) => {
      const trace = ctx.trace();
      const lastS = (trace.offsetsMs[trace.offsetsMs.length - 1] ?? 0) / e.speedup / 1000;
      const durS = e.durationS ?? Math.floor(lastS) + 1;
      return [
        {
          name: e.name ?? 'replay',
          durationMs: durS * 1000,
          description: `replay ${e.path}${e.speedup === 1 ? '' : ` ×${e.speedup}`} (${trace.offsetsMs.length} rows)`,
          load: { kind: 'trace', trace, speedup: e.speedup },
        },
      ];
    },
  }),
} satisfies Record<string, AnyShapeDef>;

type Shapes = typeof shapes;
export type StageEntry = { [K in keyof Shapes]: z.infer<Shapes[K]['schema']> }[keyof Shapes];
export type ShapeKind = StageEntry['kind'];
export type TraceEntry = Extract<StageEntry, { kind: 'trace' }>;

/** The `stages` list item: the union of every registered shape's schema, discriminated by `kind`. */
export const stageEntrySchema = z.discriminatedUnion(
  'kind',
  Object.values(shapes).map((s) => s.schema) as unknown as [Shapes['constant']['schema'], ...Shapes[keyof Shapes]['schema'][]],
);

/** The segments of one entry; FieldError paths are relative to the entry. */
export function expandEntry(entry: StageEntry, ctx: ExpandContext): Segment[] {
  const def = shapes[entry.kind] as unknown as { expand(entry: StageEntry, ctx: ExpandContext): Segment[] };
  return def.expand(entry, ctx);
}
