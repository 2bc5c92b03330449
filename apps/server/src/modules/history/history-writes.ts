import type { Dialect } from '../../storage/repositories';
import { Res } from './rollup';

/*
 * The rows the recorder queues on the agents' batch writer (plugins/batch-writer.ts), which
 * runs them through repos.ingest.commit in the events' own transaction. `?` parameters (the
 * writer numbers them); one text for both engines but the raw append, whose byte
 * concatenation needs a cast back to BLOB on SQLite (`||` yields text there) and none on
 * PostgreSQL (bytea || bytea). Checked on both by storage/history-writes.contract.test.ts.
 */

export interface HistoryWrites {
  insertTransition: string;
  saveMirror: string;
  ensureSeries: string;
  appendRaw: string;
}

export function historyWrites(dialect: Dialect): HistoryWrites {
  const joined = 'history_chunks.data || excluded.data';
  return {
    insertTransition: `INSERT INTO history_transitions
      (cluster_id, node, agent_id, seq, part, ts, received_at, type, summary, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id, seq, part) DO NOTHING`,
    saveMirror: `INSERT INTO history_node_state (agent_id, state) VALUES (?, ?)
      ON CONFLICT (agent_id) DO UPDATE SET state = excluded.state`,
    ensureSeries: `INSERT INTO history_series (cluster_id, node, metric) VALUES (?, ?, ?)
      ON CONFLICT (cluster_id, node, metric) DO NOTHING`,
    // A sealed chunk takes no more raw points: samples that late are dropped (they are not
    // durable). The series row is created in the same batch as its first append (issue 11: an
    // id looked up or inserted on the spot was an autocommit, one fsync per new series).
    appendRaw: `INSERT INTO history_chunks (series_id, res, start, sealed, data)
      VALUES ((SELECT id FROM history_series WHERE cluster_id = ? AND node = ? AND metric = ?), ${Res.raw}, ?, 0, ?)
      ON CONFLICT (series_id, res, start) DO UPDATE
      SET data = ${dialect === 'sqlite' ? `CAST(${joined} AS BLOB)` : joined}
      WHERE history_chunks.sealed = 0`,
  };
}
