/**
 * `pnpm bench overview [--clusters 500,2500] [--runs 200]`: the overview's model on its worst
 * case (every cluster unhealthy with four findings, two VIPs one of them split, two open
 * alerts: apps/web/src/features/overview/overview-fixtures.ts), in Node. What one live update
 * costs the page before React (buildRows + filterRows, sort included) and what one keystroke
 * in the search box costs (filterRows with a query). The rows are virtualised, so React draws
 * about 30 of them whatever the count; their first paint in Chromium is `pnpm bench web`.
 * Target (ours): a live update of 500 clusters within one 60 Hz frame, 16 ms.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { buildRows, filterRows } from '../../apps/web/src/features/overview/overview-model';
import { worstCase } from '../../apps/web/src/features/overview/overview-fixtures';
import { figuresTable, writeResult, type Figure } from './results';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    clusters: { type: 'string', default: '500,2500' },
    runs: { type: 'string', default: '200' },
  },
});
const sizes = values.clusters.split(',').map(Number);
const runs = Number(values.runs);
const FRAME_MS = 16;

function measure(fn: () => unknown): { median: number; p99: number; max: number } {
  for (let i = 0; i < 10; i++) fn(); // warm the JIT
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { median: at(0.5), p99: at(0.99), max: ms[ms.length - 1]! };
}

const f = (n: number): string => n.toFixed(2);
const figures: Figure[] = [];
const data: Record<string, unknown> = {};
for (const n of sizes) {
  const { clusters, alerts } = worstCase(n);
  const update = measure(() => filterRows(buildRows(clusters, alerts), '', 'all'));
  const rows = buildRows(clusters, alerts);
  const key = measure(() => filterRows(rows, 'shop-0042 lb2', 'problems'));
  data[String(n)] = { update, keystroke: key };
  figures.push({
    figure: `overview live update, ${n} clusters worst case (rows + sort), median / p99 / max of ${runs}`,
    value: `${f(update.median)} / ${f(update.p99)} / ${f(update.max)} ms`,
    ...(n <= 500 && { target: `≤ ${FRAME_MS} ms`, ok: update.p99 <= FRAME_MS }),
  });
  figures.push({
    figure: `overview search keystroke, ${n} clusters, median / p99`,
    value: `${f(key.median)} / ${f(key.p99)} ms`,
  });
}
const command = `pnpm bench overview${process.argv
  .slice(2)
  .filter((a) => a !== '--')
  .map((a) => ` ${a}`)
  .join('')}`;
const path = writeResult({ bench: 'overview', command, figures, data });
process.stdout.write(`${figuresTable(figures)}\n\nwritten to ${path}\n`);
