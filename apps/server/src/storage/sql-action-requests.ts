import type { ActionRequestsRepository, RoutedActionRequest } from './action-requests-repository';
import type { SqlDriver } from './sql-driver';

/*
 * ActionRequestsRepository in one statement per operation, the same text for both engines.
 * The take is an UPDATE … WHERE taken_at IS NULL … RETURNING: PostgreSQL re-checks the
 * condition on the row's newest version after the first taker's lock, so a second taker at
 * once changes nothing; SQLite has one writer.
 */

const COLUMNS = `id, agent_id AS "agentId", origin, home, request, created_at AS "createdAt",
  deadline`;

interface Row extends Omit<RoutedActionRequest, 'createdAt' | 'deadline'> {
  createdAt: number | string;
  deadline: number | string;
}

export class SqlActionRequests implements ActionRequestsRepository {
  constructor(private readonly q: SqlDriver) {}

  async put(r: RoutedActionRequest): Promise<void> {
    await this.q.run(
      `INSERT INTO action_requests (id, agent_id, origin, home, request, created_at, deadline)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.id, r.agentId, r.origin, r.home, r.request, r.createdAt, r.deadline],
    );
  }

  async take(id: string, home: string, at: number): Promise<RoutedActionRequest | undefined> {
    const row = await this.q.get<Row>(
      `UPDATE action_requests SET taken_at = $3
       WHERE id = $1 AND home = $2 AND taken_at IS NULL AND deadline > $3
       RETURNING ${COLUMNS}`,
      [id, home, at],
    );
    return row && { ...row, createdAt: Number(row.createdAt), deadline: Number(row.deadline) };
  }

  prune(before: number): Promise<number> {
    return this.q.run('DELETE FROM action_requests WHERE created_at < $1', [before]);
  }
}
