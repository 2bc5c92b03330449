import type { Database } from 'better-sqlite3';
import type {
  Drill,
  DrillKind,
  DrillOptions,
  DrillPhase,
  DrillPreflight,
  DrillReport,
  DrillStatus,
  DrillSummary,
} from '@keepwatch/shared';

/* The drills table (migration 050): one row per drill, report and preflight as JSON. */

interface DrillRow {
  id: string;
  cluster_id: string;
  kind: DrillKind;
  status: DrillStatus;
  phase: DrillPhase;
  options: string;
  preflight: string | null;
  report: string;
  started_by: string;
  schedule_id: number | null;
  started_at: number;
  ended_at: number | null;
  error: string | null;
}

export interface NewDrill {
  id: string;
  clusterId: string;
  kind: DrillKind;
  options: DrillOptions;
  preflight: DrillPreflight | null;
  report: DrillReport;
  startedBy: string;
  scheduleId: number | null;
  startedAt: number;
}

export interface DrillUpdate {
  status?: DrillStatus;
  phase?: DrillPhase;
  report?: DrillReport;
  endedAt?: number | null;
  error?: string | null;
}

function summaryOf(r: DrillRow, report: DrillReport | undefined): DrillSummary {
  const done = r.status !== 'running';
  return {
    id: r.id,
    clusterId: r.cluster_id,
    kind: r.kind,
    status: r.status,
    phase: r.phase,
    startedBy: r.started_by,
    scheduleId: r.schedule_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    downtimeMs: done && report?.faultAt != null ? report.downtimeMs : null,
    failedRequests: done && report?.faultAt != null ? report.failedRequests : null,
    error: r.error,
  };
}

export class DrillStore {
  constructor(private readonly db: Database) {}

  insert(d: NewDrill): void {
    this.db
      .prepare(
        `INSERT INTO drills (id, cluster_id, kind, status, phase, options, preflight, report,
           started_by, schedule_id, started_at)
         VALUES (?, ?, ?, 'running', 'preflight', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.id,
        d.clusterId,
        d.kind,
        JSON.stringify(d.options),
        d.preflight && JSON.stringify(d.preflight),
        JSON.stringify(d.report),
        d.startedBy,
        d.scheduleId,
        d.startedAt,
      );
  }

  update(id: string, u: DrillUpdate): void {
    const sets: string[] = [];
    const args: unknown[] = [];
    const put = (col: string, v: unknown): void => {
      sets.push(`${col} = ?`);
      args.push(v);
    };
    if (u.status !== undefined) put('status', u.status);
    if (u.phase !== undefined) put('phase', u.phase);
    if (u.report !== undefined) put('report', JSON.stringify(u.report));
    if (u.endedAt !== undefined) put('ended_at', u.endedAt);
    if (u.error !== undefined) put('error', u.error);
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE drills SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
  }

  get(id: string): Drill | undefined {
    const r = this.db.prepare('SELECT * FROM drills WHERE id = ?').get(id) as DrillRow | undefined;
    if (!r) return undefined;
    const report = JSON.parse(r.report) as DrillReport;
    return {
      ...summaryOf(r, report),
      options: JSON.parse(r.options) as Record<string, unknown>,
      preflight: r.preflight ? (JSON.parse(r.preflight) as DrillPreflight) : null,
      report,
    };
  }

  /** Newest first. */
  list(clusterId: string | undefined, limit: number): DrillSummary[] {
    const rows = (
      clusterId
        ? this.db
            .prepare(
              'SELECT * FROM drills WHERE cluster_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
            )
            .all(clusterId, limit)
        : this.db
            .prepare('SELECT * FROM drills ORDER BY started_at DESC, rowid DESC LIMIT ?')
            .all(limit)
    ) as DrillRow[];
    return rows.map((r) => summaryOf(r, JSON.parse(r.report) as DrillReport));
  }

  /** Marks every drill still `running` as `interrupted` (server start, SPEC RS-1); their ids. */
  interruptRunning(now: number): string[] {
    const ids = (
      this.db.prepare("SELECT id FROM drills WHERE status = 'running'").all() as { id: string }[]
    ).map((r) => r.id);
    this.db
      .prepare(
        `UPDATE drills SET status = 'interrupted', ended_at = ?,
           error = 'the server stopped during the drill; the agents restored the faults by their deadlines'
         WHERE status = 'running'`,
      )
      .run(now);
    return ids;
  }

  /** The last passed drill per cluster that moved the VIP (proof of failover). */
  lastProven(
    failoverKinds: readonly DrillKind[],
  ): Map<string, { at: number; kind: DrillKind; id: string }> {
    const marks = failoverKinds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `SELECT id, cluster_id, kind, MAX(started_at) AS at FROM drills
         WHERE status = 'passed' AND kind IN (${marks}) GROUP BY cluster_id`,
      )
      .all(...failoverKinds) as { id: string; cluster_id: string; kind: DrillKind; at: number }[];
    return new Map(rows.map((r) => [r.cluster_id, { at: r.at, kind: r.kind, id: r.id }]));
  }

  clusterIds(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT cluster_id FROM drills').all() as { cluster_id: string }[]
    ).map((r) => r.cluster_id);
  }
}
