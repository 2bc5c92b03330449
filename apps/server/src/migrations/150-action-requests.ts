/**
 * Actions routed across server replicas (issue 12 item 3, actions SPEC RA-1..RA-4): a replica
 * asked for an action on an agent connected to another replica (its home) stores the request
 * here and says so on the change feed (`kw_actions`, an id only: a config.apply carries up to
 * 1 MiB, a NOTIFY 8,000 bytes); the home takes it once (`taken_at`) and sends it to the agent.
 * The agent's result comes back through the event log, which every replica follows. Rows are
 * pruned an hour after they were made.
 */
export const id = '150-action-requests';
export const sql = `
  CREATE TABLE action_requests (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    home TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    taken_at INTEGER
  );
  CREATE INDEX action_requests_created ON action_requests (created_at);
  `;

/** The same table in PostgreSQL. */
export const postgres = `
  CREATE TABLE action_requests (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    origin TEXT NOT NULL,
    home TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    taken_at BIGINT
  );
  CREATE INDEX action_requests_created ON action_requests (created_at);
  `;
