import type { MaintenanceWindow } from '@keepwatch/shared';
import type { MaintenanceRepository, NewMaintenanceWindow } from './maintenance-repository';
import type { SqlDriver } from './sql-driver';

/* MaintenanceRepository (maintenance-repository.ts) once, over either driver. */

const COLUMNS = `id, cluster_id AS "clusterId", node, starts_at AS "startsAt", ends_at AS "endsAt",
  reason, created_by AS "createdBy", created_at AS "createdAt", ended_by AS "endedBy"`;

export class SqlMaintenance implements MaintenanceRepository {
  constructor(private readonly q: SqlDriver) {}

  async create(w: NewMaintenanceWindow): Promise<MaintenanceWindow> {
    const row = await this.q.get<MaintenanceWindow>(
      `INSERT INTO maintenance_windows (cluster_id, node, starts_at, ends_at, reason, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [w.clusterId, w.node, w.startsAt, w.endsAt, w.reason, w.createdBy, w.createdAt],
    );
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return row;
  }

  get(id: number): Promise<MaintenanceWindow | undefined> {
    return this.q.get<MaintenanceWindow>(
      `SELECT ${COLUMNS} FROM maintenance_windows WHERE id = $1`,
      [id],
    );
  }

  async end(id: number, by: string, at: number): Promise<boolean> {
    const n = await this.q.run(
      'UPDATE maintenance_windows SET ends_at = $1, ended_by = $2 WHERE id = $3 AND ends_at > $1',
      [at, by, id],
    );
    return n > 0;
  }

  current(at: number): Promise<MaintenanceWindow[]> {
    return this.q.all<MaintenanceWindow>(
      `SELECT ${COLUMNS} FROM maintenance_windows WHERE ends_at > $1 ORDER BY ends_at, id`,
      [at],
    );
  }

  ended(at: number, after: number, limit: number): Promise<MaintenanceWindow[]> {
    return this.q.all<MaintenanceWindow>(
      `SELECT ${COLUMNS} FROM maintenance_windows WHERE ends_at <= $1 AND ends_at > $2
       ORDER BY ends_at DESC, id DESC LIMIT $3`,
      [at, after, limit],
    );
  }
}
