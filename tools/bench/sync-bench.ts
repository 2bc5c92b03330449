/**
 * `pnpm bench sync [--commits 1000] [--rows 50] [--rounds 3]`: what `synchronous=FULL` (the
 * server's setting since issue 7 item 5: an ack means the batch is fsynced) costs against
 * NORMAL, per ingest batch commit, on this machine's disk. A WAL database in a temp folder
 * under the data folder's file system (/var/tmp, not tmpfs), batches of `rows` event rows of
 * the product's size (~300 B JSON) per transaction, as the batch writer commits them; the
 * two modes alternate for `rounds` rounds so machine load hits both alike.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { figuresTable, writeResult, type Figure } from './results';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    commits: { type: 'string', default: '1000' },
    rows: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
  },
});
const COMMITS = Number(args.commits);
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);
const MODES = ['NORMAL', 'FULL'] as const;
type Mode = (typeof MODES)[number];

const payload = JSON.stringify({
  type: 'vrrp.transition',
  instance: 'VI_1',
  from: 'BACKUP',
  to: 'MASTER',
  priority: 100,
  effectivePriority: 100,
  source: 'notify_fifo',
  pad: 'x'.repeat(160),
});

function run(mode: Mode, dir: string, round: number): number[] {
  const db = new Database(join(dir, `${mode}-${round}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode}`);
  db.exec(
    'CREATE TABLE events (agent_id TEXT, seq INTEGER, ts INTEGER, type TEXT, data TEXT, PRIMARY KEY (agent_id, seq))',
  );
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?)');
  let seq = 0;
  const batch = db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(`a${i % 20}`, ++seq, Date.now(), 'data', payload);
  });
  const ms: number[] = [];
  for (let c = 0; c < COMMITS; c++) {
    const t = process.hrtime.bigint();
    batch();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  db.close();
  return ms;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const dir = mkdtempSync('/var/tmp/kw-sync-bench-');
const all: Record<Mode, number[]> = { NORMAL: [], FULL: [] };
try {
  for (let r = 0; r < ROUNDS; r++) for (const m of MODES) all[m].push(...run(m, dir, r));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const stat = (m: Mode) => {
  const xs = all[m];
  const total = xs.reduce((a, b) => a + b, 0);
  return { p50: pct(xs, 50), p99: pct(xs, 99), rowsPerS: (xs.length * ROWS) / (total / 1000) };
};
const n = stat('NORMAL');
const f = stat('FULL');
const figures: Figure[] = [
  ...MODES.map((m) => {
    const s = m === 'FULL' ? f : n;
    return {
      figure: `ingest batch commit (${ROWS} rows), synchronous=${m}: p50 / p99`,
      value: `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)} ms, ${Math.round(s.rowsPerS).toLocaleString('en')} rows/s`,
    };
  }),
  {
    figure: 'FULL / NORMAL commit time (p50)',
    value: `${(f.p50 / Math.max(n.p50, 1e-6)).toFixed(1)}x`,
  },
];
const command = `pnpm bench sync --commits ${COMMITS} --rows ${ROWS} --rounds ${ROUNDS}`;
writeResult({ bench: 'sync', command, figures, data: { normal: n, full: f } });
process.stdout.write(`${figuresTable(figures)}\n\n${command}\n`);
