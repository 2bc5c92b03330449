/**
 * Retention prunes the raw events of every agent in one pass (storage/sql-ingest.ts
 * `pruneEvents`: the oldest rows first, whoever sent them), by `received_at` alone, instead of
 * agent by agent (issue 12: 10,000 agents were ≥ 40,000 statements a minute, each a pool
 * round trip). Its index replaces (agent_id, received_at), which only the per-agent prune read,
 * so each event insert still writes as many indexes as before.
 */
export const id = '195-events-received-index';
export const sql = `
  CREATE INDEX events_received ON events (received_at);
  DROP INDEX IF EXISTS events_agent_received;
  `;

/** The same change in PostgreSQL. */
export const postgres = `
  CREATE INDEX events_received ON events (received_at);
  DROP INDEX IF EXISTS events_agent_received;
  `;
