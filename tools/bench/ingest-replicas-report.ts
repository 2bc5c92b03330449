/* The table and the figures of `pnpm bench ingest-replicas` (issue 12's scale bench). */
import type { ReplicaLoadResult, Latency } from '@keepwatch/loadgen';
import type { NoticeDelays } from './feed-probe';
import type { SingleResult } from './ingest-server';
import { table, type Figure } from './results';

export type ReplicaRun = Omit<ReplicaLoadResult, 'acked'> & {
  lost: number;
  /** The first agents whose acknowledged seqs are missing from the database, and which. */
  missing: { agentId: string; seqs: number[] }[];
  eventsStored: number;
  pgSettings: Record<string, string>;
  /** When the home's `data` notices arrived after the failover was sent (feed-probe.ts). */
  notices: NoticeDelays;
};

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');
const pp = (l: Latency): string => `${ms(l.p50Ms)} / ${ms(l.p99Ms)} ms`;
const pct = (v: number): string => `${v.toFixed(0)} %`;
const mb = (v: number): string => `${v.toFixed(0)} MB`;

export function replicaTable(r: ReplicaRun, s: SingleResult | undefined): string {
  const rows: string[][] = [];
  if (s)
    rows.push([
      '1 server, SQLite',
      String(s.agents),
      `${s.connectAllS.toFixed(1)} s`,
      `${s.reconnectAllS.toFixed(1)} s (restart)`,
      `${ms(s.latencyP50Ms)} / ${ms(s.latencyP99Ms)} ms`,
      '—',
      pct(s.cpuPercent),
      '—',
      mb(s.rssMaxMb),
      String(s.lost),
      String(s.unacknowledged),
      `${s.failovers} (${s.failoversUnseen} unseen)`,
    ]);
  rows.push([
    `${r.replicas} replicas, PostgreSQL`,
    `${r.agents} (${r.homes.join(' + ')})`,
    `${r.connectAllS.toFixed(1)} s`,
    `${r.movedAllS.toFixed(1)} s (kill -9 of one)`,
    pp(r.local),
    pp(r.cross),
    r.servers.map((u) => pct(u.cpuPercent)).join(' + '),
    pct(r.db.cpuPercent),
    `${r.servers.map((u) => mb(u.memMaxMb)).join(' / ')}; PG ${mb(r.db.memMaxMb)} PSS`,
    String(r.lost),
    String(r.unacknowledged),
    `${r.failovers} (${r.unseen} unseen)`,
  ]);
  return (
    table(
      [
        'setup',
        'agents',
        'all connected',
        'all back after the fault',
        'patch p50/p99, same server',
        'patch p50/p99, other replica',
        'server CPU',
        'PostgreSQL CPU',
        'RSS',
        'lost',
        'unacked',
        'failovers',
      ],
      rows,
    ) +
    `\n\nafter the kill, on the surviving replica: failover → patch ${pp(r.afterKill)} (${r.afterKill.n} failovers)` +
    `\nfailover sent → acked by its home (stored): ${pp(r.acks)}, max ${ms(r.acks.maxMs)} ms (${r.acks.n})` +
    `\nfailover sent → its home's data notice on the feed (a LISTEN client beside the replicas): ${pp(r.notices)}, max ${ms(r.notices.maxMs)} ms, ${r.notices.missing} never heard; ${r.notices.dataNoticesPerS.toFixed(0)} data notices/s` +
    `\n  by 5 s of sending (from the probe's start): ${r.notices.windows
      .map((w) => `${w.fromS}s ${w.n}: ${ms(w.p50Ms)}/${ms(w.p99Ms)}`)
      .join(', ')}` +
    `\nload generator (this process, with its browsers): ${pct(r.generator.cpuPercent)} of a core, ${mb(r.generator.memMaxMb)}` +
    `\nPostgreSQL: ${Object.entries(r.pgSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`
  );
}

export function replicaFigures(r: ReplicaRun, s: SingleResult | undefined): Figure[] {
  const at = `${r.agents} agents, ${r.replicas} replicas on PostgreSQL`;
  const big = r.agents >= 10_000;
  const figures: Figure[] = [
    { figure: `${at}: all connected after`, value: `${r.connectAllS.toFixed(1)} s` },
    {
      figure: `${at}: failover → browser patch through the other replica p50 / p99`,
      value: pp(r.cross),
      ...(big && { target: 'p99 ≤ 50 ms', ok: r.cross.p99Ms <= 50 }),
    },
    { figure: `${at}: failover → patch on the same replica p50 / p99`, value: pp(r.local) },
    { figure: `${at}: failover → acked by its home (stored) p50 / p99`, value: pp(r.acks) },
    {
      figure: `${at}: failover → its home's notice on the change feed p50 / p99`,
      value: `${pp(r.notices)} (${r.notices.missing} never heard)`,
    },
    {
      figure: `${at}: all agents on the other replica after kill -9 of one`,
      value: `${r.movedAllS.toFixed(1)} s`,
      ...(big && { target: '≤ 30 s', ok: r.movedAllS <= 30 }),
    },
    {
      figure: `${at}: server CPU (steady), each replica`,
      value: r.servers.map((u) => pct(u.cpuPercent)).join(' + ') + ' of a core',
    },
    { figure: `${at}: PostgreSQL CPU (steady)`, value: `${pct(r.db.cpuPercent)} of a core` },
    {
      figure: `${at}: server RSS max, each replica`,
      value: r.servers.map((u) => mb(u.memMaxMb)).join(' / '),
    },
    {
      figure: `${at}: acknowledged but lost`,
      value: String(r.lost),
      target: '0',
      ok: r.lost === 0,
    },
    { figure: `${at}: unacknowledged at the end`, value: String(r.unacknowledged) },
  ];
  if (s)
    figures.push({
      figure: `${s.agents} agents, 1 server on SQLite (same run): failover → patch p50 / p99`,
      value: `${ms(s.latencyP50Ms)} / ${ms(s.latencyP99Ms)} ms`,
    });
  return figures;
}
