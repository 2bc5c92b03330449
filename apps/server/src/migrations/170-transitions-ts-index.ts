/**
 * history_transitions loses its index on `ts` alone (issue 11): no query reads it. Every
 * transitions read names its cluster (storage/sql-history.ts `transitions`: the timeline,
 * availability, the host page's config files) and uses (cluster_id, ts) or
 * (cluster_id, node, ts); retention deletes by `received_at` (its own index, migration 090).
 * EXPLAIN QUERY PLAN on SQLite, with and without ANALYZE, shows none of them on it, and each
 * transition row was one more index to write in the ingest batch.
 */
export const id = '170-transitions-ts-index';
export const sql = `
  DROP INDEX IF EXISTS history_transitions_ts;
  `;

/** The same change in PostgreSQL. */
export const postgres = `
  DROP INDEX IF EXISTS history_transitions_ts;
  `;
