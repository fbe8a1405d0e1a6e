/**
 * How numbers read in every report (Markdown and HTML alike), so the two never disagree. Units are
 * always printed; a missing value is "—".
 */

export const DASH = '—';

/** Milliseconds: "850.0 ms" below a second, "1.25 s" above. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return DASH;
  return Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** Seconds: "42.0 s", or "12 min 5 s" from ten minutes up. */
export function fmtS(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return DASH;
  if (Math.abs(s) < 600) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  return `${Math.trunc(whole / 60)} min ${Math.abs(whole % 60)} s`;
}

/** A fraction as a percentage: 0.0123 → "1.23%". */
export function fmtPct(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return DASH;
  return `${(fraction * 100).toFixed(2)}%`;
}

/** A plain number with at most `digits` decimals, trailing zeros dropped: 2.50 → "2.5". */
export function fmtNum(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return DASH;
  return String(Number(v.toFixed(digits)));
}

/** A signed difference with its unit formatter: "+12.0 ms", "-1.20 s". */
export function fmtSigned(v: number | undefined, fmt: (v: number) => string): string {
  if (v === undefined || !Number.isFinite(v)) return DASH;
  return v > 0 ? `+${fmt(v)}` : v < 0 ? `-${fmt(-v)}` : fmt(0);
}

/** Epoch ms as an ISO instant to the second (UTC), the same on every machine. */
export function fmtInstant(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** US dollars (the unit of correlate/'s cost) with two decimals, or two significant digits below a cent: "$1.23", "$0.0042". */
export function fmtMoney(amount: number | undefined): string {
  if (amount === undefined || !Number.isFinite(amount)) return DASH;
  return `$${Math.abs(amount) >= 0.01 || amount === 0 ? amount.toFixed(2) : amount.toPrecision(2)}`;
}
