import type { LeaseGrant, LeaseRepository, LeaseState } from './lease-repository';
import type { SqlDriver } from './sql-driver';

/*
 * LeaseRepository (lease-repository.ts) in one statement per operation, the same text for
 * both engines. Taking a lease is an upsert whose update only applies when the row is the
 * taker's or expired: PostgreSQL locks the conflicting row and re-checks the condition on
 * its newest version, so of two takers at once the second sees the first's row and changes
 * nothing; SQLite has one writer.
 */

export class SqlLeases implements LeaseRepository {
  constructor(private readonly q: SqlDriver) {}

  async acquire(
    name: string,
    holder: string,
    now: number,
    ttlMs: number,
  ): Promise<LeaseGrant | undefined> {
    const row = await this.q.get<{ expires_at: number | string; epoch: number }>(
      `INSERT INTO leases (name, holder, expires_at, epoch) VALUES ($1, $2, $3, 1)
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         expires_at = excluded.expires_at,
         epoch = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > $4
                      THEN leases.epoch ELSE leases.epoch + 1 END
       WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
       RETURNING expires_at, epoch`,
      [name, holder, now + ttlMs, now],
    );
    return row && { expiresAt: Number(row.expires_at), epoch: Number(row.epoch) };
  }

  async release(name: string, holder: string): Promise<boolean> {
    // Expired now rather than deleted: the epoch keeps growing across holders.
    return (
      (await this.q.run(
        'UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND expires_at > 0',
        [name, holder],
      )) > 0
    );
  }

  async current(name: string, now: number): Promise<LeaseState | undefined> {
    const row = await this.q.get<{ holder: string; expires_at: number | string; epoch: number }>(
      'SELECT holder, expires_at, epoch FROM leases WHERE name = $1 AND expires_at > $2',
      [name, now],
    );
    return (
      row && { holder: row.holder, expiresAt: Number(row.expires_at), epoch: Number(row.epoch) }
    );
  }
}
