/**
 * `pnpm bench history [--days 30] [--clusters 20] [--backends 3]`: 30 days of a 100-host fleet
 * (20 clusters × 2 LBs + 3 backends) pushed through the server's real storage code (batch
 * writer, agent ingest, history recorder, rollup + pruning job) with an injected clock, then
 * VACUUM; reports the database size and the 30-day timeline query time for one cluster.
 * The fleet and what its agents send: history-fleet.ts.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResult, type Figure } from './results';
import {
  openHistoryStore,
  type HistoryStore,
} from '../../apps/server/src/modules/history/history-store';
import { DAY, HOUR, historyFleet } from './history-fleet';

const T0 = Date.UTC(2026, 0, 1);

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    days: { type: 'string', default: '30' },
    clusters: { type: 'string', default: '20' },
    backends: { type: 'string', default: '3' },
  },
});
const DAYS = Number(args.days);
const CLUSTERS = Number(args.clusters);
const BACKENDS = Number(args.backends);
const clock = { now: T0 };
const sim = historyFleet({ clusters: CLUSTERS, backends: BACKENDS, clock });
const { counts } = sim;

async function timeQuery(
  store: HistoryStore,
  end: number,
): Promise<{ median: number; p95: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    rows = (
      await store.queries.timeline({
        cluster: 'cluster-0',
        from: end - 30 * DAY,
        to: end,
        limit: 10_000,
      })
    ).events.length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[9] ?? 0, p95: times[18] ?? 0, rows };
}

function tableSizes(store: HistoryStore): string[] {
  try {
    const rows = store.db
      .prepare(
        'SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8',
      )
      .all() as { name: string; bytes: number }[];
    return rows.map((r) => `    ${r.name.padEnd(34)} ${(r.bytes / 1e6).toFixed(2)} MB`);
  } catch {
    return ['    (dbstat not available in this SQLite build)'];
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keepwatch-bench-history-'));
  const path = join(dir, 'keepwatch.db');
  const store = await openHistoryStore({ path, now: () => clock.now });
  const wall = performance.now();
  try {
    sim.connect(store, T0);
    for (let hr = 0; hr < DAYS * 24; hr++) {
      await sim.hour(store, T0 + hr * HOUR);
      if (hr % 24 === 23)
        process.stderr.write(
          `  day ${(hr + 1) / 24}/${DAYS} (${((performance.now() - wall) / 1000).toFixed(0)} s)\n`,
        );
    }
    const end = T0 + DAYS * DAY;
    clock.now = end + 5 * 60_000;
    store.recorder.flushSamples();
    await store.writer.flush();
    await store.maintenance.run();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.db.exec('VACUUM');
    const bytes = statSync(path).size;
    const q = await timeQuery(store, end);
    const count = (sql: string): number => (store.db.prepare(sql).get() as { n: number }).n;
    const lines = [
      `command: pnpm bench history --days ${DAYS} --clusters ${CLUSTERS} --backends ${BACKENDS}`,
      `fleet: ${sim.hosts} hosts (${CLUSTERS} clusters × 2 LBs + ${BACKENDS} backends), ${DAYS} simulated days, clock injected`,
      `fed: ${counts.snapshots} snapshots, ${counts.changes} change messages, ${counts.stats} stats samples (every 5 s per LB)`,
      'what "1 Hz reporting" means here: agents probe at ≥ 1 Hz but send only changes (transitions, VIP changes,',
      '  health flips: ~2 failovers/cluster/day, ~2 Tomcat flips/backend/day seen by both LBs), a snapshot per',
      '  (re)connect (~1/host/day), and stub_status every 5 s per LB; pings/pongs (5 s) are not stored.',
      `wall time: ${((performance.now() - wall) / 1000).toFixed(1)} s`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| DB file after rollup, pruning, VACUUM | ${(bytes / 1e6).toFixed(2)} MB | ≤ 20 MB |`,
      `| timeline, 1 cluster × ${DAYS} days (${q.rows} events), median of 20 | ${q.median.toFixed(2)} ms | ≤ 50 ms |`,
      `| timeline p95 of 20 | ${q.p95.toFixed(2)} ms | ≤ 50 ms |`,
      `| history_transitions rows | ${count('SELECT COUNT(*) AS n FROM history_transitions')} | |`,
      `| events rows (raw 48 h window + action results) | ${count('SELECT COUNT(*) AS n FROM events')} | |`,
      `| series chunks (raw/minute/hour) | ${count('SELECT COUNT(*) AS n FROM history_chunks')} | |`,
      '',
      '  largest tables/indexes:',
      ...tableSizes(store),
    ];
    const perHostDay = bytes / sim.hosts / DAYS;
    const figures: Figure[] = [
      {
        figure: `database after ${DAYS} days of ${sim.hosts} hosts (rollup, pruning, VACUUM)`,
        value: `${(bytes / 1e6).toFixed(2)} MB`,
        target: '≤ 20 MB',
        ok: bytes <= 20e6,
      },
      { figure: 'database growth per host per day', value: `${(perHostDay / 1e3).toFixed(1)} KB` },
      {
        figure: `timeline of 1 cluster × ${DAYS} days (${q.rows} events), median / p95 of 20`,
        value: `${q.median.toFixed(2)} / ${q.p95.toFixed(2)} ms`,
        target: '≤ 50 ms',
        ok: q.p95 <= 50,
      },
    ];
    const written = writeResult({
      bench: 'history',
      command: `pnpm bench history --days ${DAYS} --clusters ${CLUSTERS} --backends ${BACKENDS}`,
      figures,
      data: { bytes, hosts: sim.hosts, days: DAYS, counts, timeline: q },
    });
    lines.push('', `| database growth per host per day | ${(perHostDay / 1e3).toFixed(1)} KB | |`);
    process.stdout.write(`${lines.join('\n')}\nwritten to ${written}\n`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
