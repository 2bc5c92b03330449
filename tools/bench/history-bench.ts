/**
 * `pnpm bench history [--days 30] [--clusters 20] [--backends 3]`: 30 days of a 100-host fleet
 * (20 clusters × 2 LBs + 3 backends) pushed through the server's real storage code (batch
 * writer, agent ingest, history recorder, rollup + pruning job) with an injected clock, then
 * VACUUM; reports the database size and the 30-day timeline query time for one cluster.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeResult, type Figure } from './results';
import type { AgentDataMessage, AgentHello, AgentSnapshot } from '@keepwatch/shared';
import {
  openHistoryStore,
  type HistoryStore,
} from '../../apps/server/src/modules/history/history-store';

const DAY = 86_400_000;
const HOUR = 3_600_000;
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

/** Deterministic PRNG (mulberry32): the same run every time. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);

interface Host {
  agentId: string;
  clusterId: string;
  name: string;
  role: 'lb' | 'backend';
  seq: number;
  master: boolean;
  healthy: boolean;
  requests: number;
}

const fleet: Host[] = [];
for (let c = 0; c < CLUSTERS; c++) {
  const clusterId = `cluster-${c}`;
  for (const [i, name] of ['lb1', 'lb2'].entries())
    fleet.push({
      agentId: `${clusterId}-${name}`,
      clusterId,
      name,
      role: 'lb',
      seq: 0,
      master: i === 0,
      healthy: true,
      requests: 0,
    });
  for (let b = 1; b <= BACKENDS; b++)
    fleet.push({
      agentId: `${clusterId}-web${b}`,
      clusterId,
      name: `web${b}`,
      role: 'backend',
      seq: 0,
      master: false,
      healthy: true,
      requests: 0,
    });
}
const lbs = fleet.filter((h) => h.role === 'lb');
const VIP = (h: Host): string => `10.${Number(h.clusterId.split('-')[1]) % 250}.0.50`;

const helloOf = (h: Host): AgentHello => ({
  type: 'hello',
  protocol: 1,
  agentId: h.agentId,
  token: 'bench',
  node: { name: h.name, role: h.role, cluster: { id: h.clusterId, name: h.clusterId } },
  facts: { hostname: h.name, agentVersion: 'bench' },
  capabilities: {
    observe: h.role === 'lb' ? ['keepalived', 'vip', 'nginx'] : ['tomcat'],
    control: [],
  },
});

function snapshotOf(h: Host, ts: number): AgentSnapshot {
  const health = { healthy: h.healthy, checkedAt: ts, latencyMs: 1 + rand() * 3 };
  const base = {
    type: 'snapshot' as const,
    seq: ++h.seq,
    ts,
    addresses: [{ address: `10.0.0.${fleet.indexOf(h) % 250}`, prefix: 24, interface: 'eth0' }],
  };
  if (h.role === 'backend') return { ...base, vrrp: [], services: { tomcat: health } };
  const state = h.master ? 'MASTER' : 'BACKUP';
  const prio = h.master ? 150 : 100;
  return {
    ...base,
    vrrp: [
      {
        instance: 'VI_1',
        state,
        priority: prio,
        effectivePriority: prio,
        vrid: 51,
        interface: 'eth0',
        vips: [VIP(h)],
      },
    ],
    addresses: h.master
      ? [...base.addresses, { address: VIP(h), prefix: 32, interface: 'eth0' }]
      : base.addresses,
    services: { nginx: health, keepalived: { healthy: true, checkedAt: ts } },
    keepalivedRunning: true,
    upstreams: fleet
      .filter((b) => b.clusterId === h.clusterId && b.role === 'backend')
      .map((b) => ({ server: `${b.name}:8080`, health: { healthy: b.healthy, checkedAt: ts } })),
  };
}

const counts = { snapshots: 0, changes: 0, stats: 0 };

function send(store: HistoryStore, h: Host, msg: AgentDataMessage, at: number): void {
  if (msg.type === 'snapshot') counts.snapshots++;
  else counts.changes++;
  store.data(h.agentId, msg, at).catch((err: unknown) => {
    process.stderr.write(`store failed: ${String(err)}\n`);
    process.exitCode = 1;
  });
}

/** A failover in one cluster: the MASTER steps down, the BACKUP takes the VIP (4 messages). */
function failover(store: HistoryStore, clusterId: string, ts: number): void {
  const [a, b] = lbs.filter((h) => h.clusterId === clusterId);
  if (!a || !b) return;
  for (const [h, k] of [
    [a, 0],
    [b, 40],
  ] as const) {
    h.master = !h.master;
    const t = ts + k;
    send(
      store,
      h,
      {
        type: 'vrrp.transition',
        seq: ++h.seq,
        ts: t,
        instance: 'VI_1',
        state: h.master ? 'MASTER' : 'BACKUP',
        effectivePriority: h.master ? 150 : 100,
        source: 'fifo',
      },
      t + 5,
    );
    send(
      store,
      h,
      {
        type: 'vip.change',
        seq: ++h.seq,
        ts: t + 1,
        action: h.master ? 'add' : 'remove',
        address: { address: VIP(h), prefix: 32, interface: 'eth0' },
      },
      t + 6,
    );
  }
}

/** A backend's Tomcat flips; both LBs see the upstream flip too. */
function healthFlip(store: HistoryStore, b: Host, ts: number): void {
  b.healthy = !b.healthy;
  const health = {
    healthy: b.healthy,
    checkedAt: ts,
    latencyMs: b.healthy ? 2 : 400,
    ...(!b.healthy && { detail: 'HTTP 503' }),
  };
  send(store, b, { type: 'service.health', seq: ++b.seq, ts, service: 'tomcat', health }, ts + 3);
  for (const lb of lbs.filter((h) => h.clusterId === b.clusterId)) {
    send(
      store,
      lb,
      {
        type: 'upstream.health',
        seq: ++lb.seq,
        ts: ts + 200,
        upstream: { server: `${b.name}:8080`, health },
      },
      ts + 205,
    );
  }
}

/** stub_status every 5 s per LB: the MASTER carries the traffic, with a daily curve. */
function stats(store: HistoryStore, ts: number): void {
  const day = Math.sin((2 * Math.PI * (ts % DAY)) / DAY);
  for (const lb of lbs) {
    const rps = lb.master ? 200 * (1 + 0.6 * day) * (0.9 + rand() * 0.2) : rand() < 0.5 ? 0 : 1;
    lb.requests += Math.round(rps * 5);
    const active = Math.round(rps * 0.05 + rand() * 3);
    store.stats(lb.agentId, {
      type: 'stats',
      ts,
      nginx: {
        active,
        accepts: lb.requests,
        handled: lb.requests,
        requests: lb.requests,
        reading: 0,
        writing: 1,
        waiting: active,
      },
    });
    counts.stats++;
  }
}

type SimEvent = { ts: number } & (
  { kind: 'failover'; clusterId: string } | { kind: 'reconnect' | 'flip'; host: Host }
);

/** This hour's random events: ~2 failovers per cluster a day, ~2 Tomcat flips per backend a day, ~1 reconnect per host a day. */
function plan(start: number): SimEvent[] {
  const at = (): number => Math.round(start + rand() * HOUR);
  const events: SimEvent[] = [];
  for (let c = 0; c < CLUSTERS; c++)
    if (rand() < 2 / 24) events.push({ ts: at(), kind: 'failover', clusterId: `cluster-${c}` });
  for (const host of fleet) {
    if (rand() < 1 / 24) events.push({ ts: at(), kind: 'reconnect', host });
    if (host.role === 'backend' && rand() < 2 / 24) events.push({ ts: at(), kind: 'flip', host });
  }
  return events.sort((a, b) => a.ts - b.ts);
}

function apply(store: HistoryStore, e: SimEvent): void {
  if (e.kind === 'failover') return failover(store, e.clusterId, e.ts);
  if (e.kind === 'flip') return healthFlip(store, e.host, e.ts);
  store.hello(helloOf(e.host), e.ts);
  send(store, e.host, snapshotOf(e.host, e.ts), e.ts);
}

let now = T0;

/** One simulated hour: events at their own times, stats every 5 s, commit, then the job. */
async function hour(store: HistoryStore, start: number): Promise<void> {
  const events = plan(start);
  let next = 0;
  for (let ts = start; ts < start + HOUR; ts += 5000) {
    now = ts;
    for (let e = events[next]; e && e.ts < ts; e = events[++next]) apply(store, e);
    stats(store, ts);
  }
  await store.writer.flush();
  now = start + HOUR;
  await store.maintenance.run();
}

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
  const store = await openHistoryStore({ path, now: () => now });
  const wall = performance.now();
  try {
    for (const h of fleet) {
      store.hello(helloOf(h), T0);
      send(store, h, snapshotOf(h, T0), T0);
    }
    for (let hr = 0; hr < DAYS * 24; hr++) {
      await hour(store, T0 + hr * HOUR);
      if (hr % 24 === 23)
        process.stderr.write(
          `  day ${(hr + 1) / 24}/${DAYS} (${((performance.now() - wall) / 1000).toFixed(0)} s)\n`,
        );
    }
    const end = T0 + DAYS * DAY;
    now = end + 5 * 60_000;
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
      `fleet: ${fleet.length} hosts (${CLUSTERS} clusters × 2 LBs + ${BACKENDS} backends), ${DAYS} simulated days, clock injected`,
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
    const perHostDay = bytes / fleet.length / DAYS;
    const figures: Figure[] = [
      {
        figure: `database after ${DAYS} days of ${fleet.length} hosts (rollup, pruning, VACUUM)`,
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
      data: { bytes, hosts: fleet.length, days: DAYS, counts, timeline: q },
    });
    lines.push('', `| database growth per host per day | ${(perHostDay / 1e3).toFixed(1)} KB | |`);
    process.stdout.write(`${lines.join('\n')}\nwritten to ${written}\n`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
