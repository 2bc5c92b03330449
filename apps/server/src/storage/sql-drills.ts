import type {
  Drill,
  DrillKind,
  DrillPhase,
  DrillPreflight,
  DrillReport,
  DrillStatus,
  DrillSummary,
  DrillWindow,
} from '@keepwatch/shared';
import type {
  DrillInsertOutcome,
  DrillRepository,
  DrillScheduleRecord,
  DrillSchedulesRepository,
  DrillUpdate,
  LastProven,
  NewDrill,
  NewDrillSchedule,
} from './drill-repository';
import { runningClusterWork } from './sql-cluster-work';
import { txRun, type SqlDriver, type SqlValue, type TxBody } from './sql-driver';

/*
 * DrillRepository and DrillSchedulesRepository (drill-repository.ts) once, over either driver.
 * `window` is a keyword in PostgreSQL and quoted there; SQLite takes the quoted name too.
 */

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

const DRILL_COLUMNS = `id, cluster_id, kind, status, phase, options, preflight, report, started_by,
  schedule_id, started_at, ended_at, error`;

/** PostgreSQL has no rowid: a tie of started_at (one millisecond) goes by id, in both engines. */
const NEWEST = 'ORDER BY started_at DESC, id DESC';

function summaryOf(r: DrillRow, report: DrillReport | undefined): DrillSummary {
  const done = r.status !== 'running';
  return {
    id: r.id,
    clusterId: r.cluster_id,
    kind: r.kind,
    status: r.status,
    phase: r.phase,
    startedBy: r.started_by,
    scheduleId: r.schedule_id === null ? null : Number(r.schedule_id),
    startedAt: Number(r.started_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    downtimeMs: done && report?.faultAt != null ? report.downtimeMs : null,
    failedRequests: done && report?.faultAt != null ? report.failedRequests : null,
    error: r.error,
  };
}

export class SqlDrills implements DrillRepository {
  constructor(private readonly q: SqlDriver) {}

  insert(d: NewDrill): Promise<DrillInsertOutcome> {
    const row: SqlValue[] = [
      d.id,
      d.clusterId,
      d.kind,
      JSON.stringify(d.options),
      d.preflight && JSON.stringify(d.preflight),
      JSON.stringify(d.report),
      d.startedBy,
      d.scheduleId,
      d.startedAt,
      d.owner,
    ];
    return this.q.transaction(function* (): TxBody<DrillInsertOutcome> {
      // RS-2/RS-6: a running drill or push of the cluster, on any replica, refuses it.
      const holder = yield* runningClusterWork(d.clusterId);
      if (holder) return { ok: false, holder };
      yield txRun(
        `INSERT INTO drills (id, cluster_id, kind, status, phase, options, preflight, report,
           started_by, schedule_id, started_at, owner)
         VALUES ($1, $2, $3, 'running', 'preflight', $4, $5, $6, $7, $8, $9, $10)`,
        row,
      );
      return { ok: true };
    });
  }

  async update(id: string, u: DrillUpdate): Promise<void> {
    const sets: string[] = [];
    const args: SqlValue[] = [id];
    const put = (col: string, v: SqlValue): void => {
      args.push(v);
      sets.push(`${col} = $${args.length}`);
    };
    if (u.status !== undefined) put('status', u.status);
    if (u.phase !== undefined) put('phase', u.phase);
    if (u.report !== undefined) put('report', JSON.stringify(u.report));
    if (u.endedAt !== undefined) put('ended_at', u.endedAt);
    if (u.error !== undefined) put('error', u.error);
    if (sets.length === 0) return;
    await this.q.run(
      `UPDATE drills SET ${sets.join(', ')} WHERE id = $1 AND status <> 'interrupted'`,
      args,
    );
  }

  async get(id: string): Promise<Drill | undefined> {
    const r = await this.q.get<DrillRow>(`SELECT ${DRILL_COLUMNS} FROM drills WHERE id = $1`, [id]);
    if (!r) return undefined;
    const report = JSON.parse(r.report) as DrillReport;
    return {
      ...summaryOf(r, report),
      options: JSON.parse(r.options) as Record<string, unknown>,
      preflight: r.preflight ? (JSON.parse(r.preflight) as DrillPreflight) : null,
      report,
    };
  }

  async list(clusterId: string | undefined, limit: number): Promise<DrillSummary[]> {
    const rows = clusterId
      ? await this.q.all<DrillRow>(
          `SELECT ${DRILL_COLUMNS} FROM drills WHERE cluster_id = $1 ${NEWEST} LIMIT $2`,
          [clusterId, limit],
        )
      : await this.q.all<DrillRow>(`SELECT ${DRILL_COLUMNS} FROM drills ${NEWEST} LIMIT $1`, [
          limit,
        ]);
    return rows.map((r) => summaryOf(r, JSON.parse(r.report) as DrillReport));
  }

  running(): Promise<{ id: string; owner: string | null }[]> {
    return this.q.all<{ id: string; owner: string | null }>(
      "SELECT id, owner FROM drills WHERE status = 'running' ORDER BY id",
    );
  }

  async interrupt(ids: readonly string[], at: number, reason: string): Promise<string[]> {
    const changed: string[] = [];
    // One statement per id: the same text for both engines (no array parameters in SQLite).
    for (const id of ids) {
      const n = await this.q.run(
        "UPDATE drills SET status = 'interrupted', ended_at = $2, error = $3 WHERE id = $1 AND status = 'running'",
        [id, at, reason],
      );
      if (n > 0) changed.push(id);
    }
    return changed;
  }

  async lastProven(kinds: readonly DrillKind[]): Promise<Map<string, LastProven>> {
    if (kinds.length === 0) return new Map();
    const marks = kinds.map((_, i) => `$${i + 1}`).join(', ');
    // The newest passed drill per cluster (a portable "first row per group": no engine's
    // bare-column MAX() extension).
    const rows = await this.q.all<{ id: string; cluster_id: string; kind: DrillKind; at: number }>(
      `SELECT d.id, d.cluster_id, d.kind, d.started_at AS at FROM drills d
       WHERE d.status = 'passed' AND d.kind IN (${marks})
         AND NOT EXISTS (SELECT 1 FROM drills n WHERE n.cluster_id = d.cluster_id
           AND n.status = 'passed' AND n.kind IN (${marks})
           AND (n.started_at > d.started_at OR (n.started_at = d.started_at AND n.id > d.id)))`,
      kinds,
    );
    return new Map(rows.map((r) => [r.cluster_id, { at: Number(r.at), kind: r.kind, id: r.id }]));
  }

  async clusterIds(): Promise<string[]> {
    const rows = await this.q.all<{ cluster_id: string }>(
      'SELECT DISTINCT cluster_id FROM drills ORDER BY cluster_id',
    );
    return rows.map((r) => r.cluster_id);
  }
}

interface ScheduleRow {
  id: number;
  cluster_id: string;
  kind: DrillKind;
  options: string;
  cron: string;
  timezone: string;
  window: string;
  enabled: number;
  created_by: string;
  created_at: number;
  last_run_at: number | null;
  last_drill_id: string | null;
  last_result: string | null;
}

const SCHEDULE_COLUMNS = `id, cluster_id, kind, options, cron, timezone, "window", enabled,
  created_by, created_at, last_run_at, last_drill_id, last_result`;

const toSchedule = (r: ScheduleRow): DrillScheduleRecord => ({
  id: Number(r.id),
  clusterId: r.cluster_id,
  kind: r.kind,
  options: JSON.parse(r.options) as Record<string, unknown>,
  cron: r.cron,
  timezone: r.timezone,
  window: JSON.parse(r.window) as DrillWindow,
  enabled: Number(r.enabled) === 1,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  lastRunAt: r.last_run_at === null ? null : Number(r.last_run_at),
  lastDrillId: r.last_drill_id,
  lastResult: r.last_result,
});

const definition = (s: NewDrillSchedule): SqlValue[] => [
  s.clusterId,
  s.kind,
  JSON.stringify(s.options),
  s.cron,
  s.timezone,
  JSON.stringify(s.window),
  s.enabled ? 1 : 0,
];

export class SqlDrillSchedules implements DrillSchedulesRepository {
  constructor(private readonly q: SqlDriver) {}

  async list(): Promise<DrillScheduleRecord[]> {
    const rows = await this.q.all<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM drill_schedules ORDER BY id`,
    );
    return rows.map(toSchedule);
  }

  async get(id: number): Promise<DrillScheduleRecord | undefined> {
    const r = await this.q.get<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM drill_schedules WHERE id = $1`,
      [id],
    );
    return r && toSchedule(r);
  }

  async create(s: NewDrillSchedule, by: string, at: number): Promise<DrillScheduleRecord> {
    const r = await this.q.get<ScheduleRow>(
      `INSERT INTO drill_schedules (cluster_id, kind, options, cron, timezone, "window", enabled,
         created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SCHEDULE_COLUMNS}`,
      [...definition(s), by, at],
    );
    if (!r) throw new Error('INSERT … RETURNING gave no row');
    return toSchedule(r);
  }

  async replace(id: number, s: NewDrillSchedule): Promise<DrillScheduleRecord | undefined> {
    const r = await this.q.get<ScheduleRow>(
      `UPDATE drill_schedules SET cluster_id = $2, kind = $3, options = $4, cron = $5,
         timezone = $6, "window" = $7, enabled = $8 WHERE id = $1 RETURNING ${SCHEDULE_COLUMNS}`,
      [id, ...definition(s)],
    );
    return r && toSchedule(r);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.q.run('DELETE FROM drill_schedules WHERE id = $1', [id])) > 0;
  }

  async ran(id: number, at: number, drillId: string | null, result: string): Promise<void> {
    await this.q.run(
      'UPDATE drill_schedules SET last_run_at = $2, last_drill_id = $3, last_result = $4 WHERE id = $1',
      [id, at, drillId, result],
    );
  }

  async claimRun(
    id: number,
    lastRunAt: number | null,
    at: number,
    result: string,
  ): Promise<boolean> {
    // -1 stands for "never ran" (no time is negative): one portable comparison, no typed NULL.
    const n = await this.q.run(
      `UPDATE drill_schedules SET last_run_at = $3, last_drill_id = NULL, last_result = $4
       WHERE id = $1 AND COALESCE(last_run_at, -1) = $2`,
      [id, lastRunAt ?? -1, at, result],
    );
    return n > 0;
  }

  async result(id: number, result: string): Promise<void> {
    await this.q.run('UPDATE drill_schedules SET last_result = $2 WHERE id = $1', [id, result]);
  }
}
