import type {
  DrillActivity,
  HistoryRepository,
  OpenChunk,
  PushActivity,
  RecorderState,
  Sealed,
  StoredChunk,
  StoredTransition,
  TransitionFilter,
} from './history-repository';
import { txGet, txLock, txRun, type SqlDriver, type SqlValue, type TxBody } from './sql-driver';

/* HistoryRepository (history-repository.ts) once, over either driver. */

const RAW = 0;

const TRANSITION_COLUMNS = `ts, received_at AS "receivedAt", node, agent_id AS "agentId", seq, type,
  summary, data`;

const PUT_SEALED = `INSERT INTO history_chunks (series_id, res, start, sealed, data) VALUES ($1, $2, $3, 1, $4)
  ON CONFLICT (series_id, res, start) DO UPDATE SET sealed = 1, data = excluded.data`;

/** The report fields the timeline shows, per dialect (json_extract / jsonb operators). */
function drillReportColumns(dialect: SqlDriver['dialect']): string {
  const num = (f: string): string =>
    dialect === 'sqlite'
      ? `json_extract(report, '$.${f}') AS "${f}"`
      : `(report::jsonb ->> '${f}')::double precision AS "${f}"`;
  const targets =
    dialect === 'sqlite'
      ? `json_extract(report, '$.targets')`
      : `CASE WHEN jsonb_typeof(report::jsonb -> 'targets') = 'array' THEN (report::jsonb -> 'targets')::text END`;
  return [
    ...['faultAt', 'restoreAt', 'downtimeMs', 'failedRequests', 'totalRequests'].map(num),
    `${targets} AS targets`,
  ].join(', ');
}

export class SqlHistory implements HistoryRepository {
  private readonly drillSql: string;
  /** The open chunk to seal, locked on PostgreSQL so no append lands between read and seal. */
  private readonly nextOpenSql: string;

  constructor(private readonly q: SqlDriver) {
    // The report holds every probe sample: only the few fields wanted are taken out of it.
    this.drillSql = `SELECT id, kind, status, started_by AS "startedBy", started_at AS "startedAt",
        ended_at AS "endedAt", error, ${drillReportColumns(q.dialect)}
      FROM drills WHERE cluster_id = $1 AND started_at < $2 AND (ended_at IS NULL OR ended_at >= $3)
      ORDER BY started_at LIMIT $4`;
    this.nextOpenSql = `SELECT series_id AS "seriesId", start, data FROM history_chunks
      WHERE res = ${RAW} AND sealed = 0 AND start < $1 ORDER BY start LIMIT 1${
        q.dialect === 'postgres' ? ' FOR UPDATE' : ''
      }`;
  }

  transitions(f: TransitionFilter): Promise<StoredTransition[]> {
    const params: SqlValue[] = [f.cluster];
    const where = ['cluster_id = $1'];
    const add = (sql: (n: string) => string, value: SqlValue): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.from !== undefined) add((n) => `ts >= ${n}`, f.from);
    if (f.to !== undefined) add((n) => `ts < ${n}`, f.to);
    if (f.node !== undefined) add((n) => `node = ${n}`, f.node);
    if (f.types.length > 0) {
      const first = params.length + 1;
      params.push(...f.types);
      where.push(`type IN (${f.types.map((_, i) => `$${first + i}`).join(', ')})`);
    }
    const dir = f.newestFirst ? ' DESC' : '';
    let limit = '';
    if (f.limit !== undefined) {
      params.push(f.limit);
      limit = ` LIMIT $${params.length}`;
    }
    return this.q.all<StoredTransition>(
      `SELECT ${TRANSITION_COLUMNS} FROM history_transitions WHERE ${where.join(' AND ')}
       ORDER BY ts${dir}, agent_id${dir}, seq${dir}, part${dir}${limit}`,
      params,
    );
  }

  async recorderState(): Promise<RecorderState> {
    const [nodes, mirrors, series] = await Promise.all([
      this.q.all<RecorderState['nodes'][number]>(
        'SELECT agent_id AS "agentId", cluster_id AS "clusterId", node_name AS node FROM agents',
      ),
      this.q.all<RecorderState['mirrors'][number]>(
        'SELECT agent_id AS "agentId", state FROM history_node_state',
      ),
      this.q.all<RecorderState['series'][number]>(
        'SELECT cluster_id AS "clusterId", node, metric FROM history_series',
      ),
    ]);
    return { nodes, mirrors, series };
  }

  async nodeState(agentId: string): Promise<string | undefined> {
    const row = await this.q.get<{ state: string }>(
      'SELECT state FROM history_node_state WHERE agent_id = $1',
      [agentId],
    );
    return row?.state;
  }

  async seriesId(cluster: string, node: string, metric: string): Promise<number | undefined> {
    const row = await this.q.get<{ id: number }>(
      'SELECT id FROM history_series WHERE cluster_id = $1 AND node = $2 AND metric = $3',
      [cluster, node, metric],
    );
    return row?.id;
  }

  async chunks(seriesId: number, res: number, from: number, to: number): Promise<StoredChunk[]> {
    const rows = await this.q.all<{ start: number; sealed: number; data: Buffer }>(
      `SELECT start, sealed, data FROM history_chunks
       WHERE series_id = $1 AND res = $2 AND start >= $3 AND start < $4 ORDER BY start`,
      [seriesId, res, from, to],
    );
    return rows.map((r) => ({ start: r.start, sealed: r.sealed !== 0, data: r.data }));
  }

  sealNext(before: number, seal: (open: OpenChunk) => Sealed): Promise<boolean> {
    const nextOpen = this.nextOpenSql;
    return this.q.transaction(function* (): TxBody<boolean> {
      // Two replicas' maintenance seal one chunk at a time between them.
      yield txLock('history.seal');
      const open = (yield txGet(nextOpen, [before])) as OpenChunk | undefined;
      if (!open) return false;
      const sealed = seal(open);
      for (const r of sealed.rollups) {
        const old = (yield txGet(
          'SELECT data FROM history_chunks WHERE series_id = $1 AND res = $2 AND start = $3',
          [open.seriesId, r.res, r.start],
        )) as { data: Buffer } | undefined;
        yield txRun(PUT_SEALED, [open.seriesId, r.res, r.start, r.merge(old?.data)]);
      }
      yield txRun(PUT_SEALED, [open.seriesId, RAW, open.start, sealed.raw]);
      return true;
    });
  }

  pruneChunks(res: number, before: number, limit: number): Promise<number> {
    return this.q.run(
      `DELETE FROM history_chunks WHERE (series_id, res, start) IN
        (SELECT series_id, res, start FROM history_chunks WHERE res = $1 AND sealed = 1 AND start < $2 LIMIT $3)`,
      [res, before, limit],
    );
  }

  pruneTransitions(before: number, limit: number): Promise<number> {
    // Retention goes by the server's receive time: an agent's clock cannot keep rows forever.
    return this.q.run(
      `DELETE FROM history_transitions WHERE id IN
        (SELECT id FROM history_transitions WHERE received_at < $1 LIMIT $2)`,
      [before, limit],
    );
  }

  async trimRejected(keep: number): Promise<number> {
    const over = await this.q.all<{ agentId: string }>(
      'SELECT agent_id AS "agentId" FROM rejected_events GROUP BY agent_id HAVING COUNT(*) > $1',
      [keep],
    );
    let deleted = 0;
    // Everything at or below the id of the agent's (keep + 1)th newest frame goes.
    for (const { agentId } of over)
      deleted += await this.q.run(
        `DELETE FROM rejected_events WHERE agent_id = $1 AND id <=
          (SELECT id FROM rejected_events WHERE agent_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
        [agentId, keep],
      );
    return deleted;
  }

  pushes(cluster: string, from: number, to: number, limit: number): Promise<PushActivity[]> {
    return this.q.all<PushActivity>(
      `SELECT id, created_at AS "createdAt", finished_at AS "finishedAt", author, message, status,
              summary, rollback_of AS "rollbackOf", hosts
       FROM config_pushes
       WHERE cluster_id = $1 AND dry_run = 0 AND created_at < $2 AND (finished_at IS NULL OR finished_at >= $3)
       ORDER BY created_at LIMIT $4`,
      [cluster, to, from, limit],
    );
  }

  drills(cluster: string, from: number, to: number, limit: number): Promise<DrillActivity[]> {
    return this.q.all<DrillActivity>(this.drillSql, [cluster, to, from, limit]);
  }
}
