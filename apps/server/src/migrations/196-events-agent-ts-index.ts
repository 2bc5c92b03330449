/**
 * events loses its index on (agent_id, ts) (issue 12): no query reads it, and every event
 * insert (the ingest hot path, 10,000 agents) wrote it. Every events read names its agent
 * and a seq (storage/sql-ingest.ts: the stored seq, the follower's reads, the replay since
 * the last snapshot, the prune's delete) and walks the primary key (agent_id, seq); the
 * prune's pick is by `received_at` (its own index, migration 195). EXPLAIN on both engines,
 * with statistics, shows none of them on it (docs/storage.md "Indexes on events").
 */
export const id = '196-events-agent-ts-index';
export const sql = `
  DROP INDEX IF EXISTS events_agent_ts;
  `;

/** The same change in PostgreSQL. */
export const postgres = `
  DROP INDEX IF EXISTS events_agent_ts;
  `;
