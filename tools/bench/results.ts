/*
 * Bench results: every bench writes bench/results/<name>.json (its command, the machine, its
 * figures) and prints its figures as a table; `pnpm bench` with no name prints one table of
 * every figure on file, each naming the command that measured it.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'bench',
  'results',
);

export interface Figure {
  figure: string;
  value: string;
  target?: string;
  /** Whether the value meets the target (absent: no target). */
  ok?: boolean;
}

export interface BenchResult {
  bench: string;
  command: string;
  measuredAt: string;
  machine: { cpus: number; node: string; loadavg: number[] };
  figures: Figure[];
  /** Raw numbers behind the figures, for scripts. */
  data?: unknown;
}

export function machine(): BenchResult['machine'] {
  return {
    cpus: cpus().length,
    node: process.version,
    loadavg: loadavg().map((l) => +l.toFixed(2)),
  };
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

const okMark = (f: Figure): string => (f.ok === undefined ? '' : f.ok ? 'ok' : 'MISSED');

/** Writes bench/results/<bench>.json and returns the path. */
export function writeResult(result: Omit<BenchResult, 'measuredAt' | 'machine'>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const full: BenchResult = { ...result, measuredAt: new Date().toISOString(), machine: machine() };
  const path = join(RESULTS_DIR, `${result.bench}.json`);
  writeFileSync(path, `${JSON.stringify(full, null, 2)}\n`);
  return path;
}

export function figuresTable(figures: readonly Figure[]): string {
  return table(
    ['figure', 'value', 'target', ''],
    figures.map((f) => [f.figure, f.value, f.target ?? '', okMark(f)]),
  );
}

/** One table of every result on file. */
export function report(): string {
  if (!existsSync(RESULTS_DIR)) return 'no results yet: run pnpm bench <name>';
  const results = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as BenchResult);
  const rows = results.flatMap((r) =>
    r.figures.map((f) => [
      f.figure,
      f.value,
      f.target ?? '',
      okMark(f),
      r.command,
      r.measuredAt.slice(0, 16),
    ]),
  );
  return table(['figure', 'value', 'target', '', 'command', 'measured (UTC)'], rows);
}
