import type { DurationUnits } from '../i18n/dictionary';

/**
 * "3m 12s", "1h 04m", "2d 3h" (two most significant units: at 3 a.m. nobody needs
 * "2d 3h 4m 5s", and a seconds counter ticking on a day-old state is noise).
 * Negative input (clock skew) reads as zero.
 */
export function formatDuration(ms: number, units: DurationUnits): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const join = (a: string, b: string): string => `${a}${units.sep}${b}`;
  if (d > 0) return join(`${d}${units.d}`, `${h}${units.h}`);
  if (h > 0) return join(`${h}${units.h}`, `${pad(m)}${units.m}`);
  if (m > 0) return join(`${m}${units.m}`, `${pad(s)}${units.s}`);
  return `${s}${units.s}`;
}

/** "+12 ms", "−1.2 s": a signed clock offset, readable at a glance. */
export function formatOffset(ms: number): string {
  const sign = ms > 0 ? '+' : ms < 0 ? '−' : '±';
  const abs = Math.abs(ms);
  return abs >= 1000 ? `${sign}${(abs / 1000).toFixed(1)} s` : `${sign}${Math.round(abs)} ms`;
}
