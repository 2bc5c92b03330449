/**
 * Ingest limits (issue 7 items 3-4): retention by the server's receive time (indexes for
 * pruning events and transitions by received_at), the agent's own time kept beside a clamped
 * one (`agent_ts`, NULL when `ts` is the agent's as sent), frames refused for breaking their
 * schema kept with their reason (`rejected_events`), and the node lookup every hello with
 * the shared token or an unbound credential makes (agent_credentials by node).
 */
export const id = '090-ingest-limits';
export const sql = `
  ALTER TABLE events ADD COLUMN agent_ts REAL;
  CREATE INDEX events_agent_received ON events (agent_id, received_at);
  CREATE INDEX history_transitions_received ON history_transitions (received_at);
  CREATE TABLE rejected_events (
    id INTEGER PRIMARY KEY,
    agent_id TEXT NOT NULL,
    seq INTEGER,
    received_at INTEGER NOT NULL,
    type TEXT,
    reason TEXT NOT NULL,
    excerpt TEXT NOT NULL
  );
  CREATE INDEX rejected_events_agent ON rejected_events (agent_id, received_at);
  CREATE INDEX rejected_events_received ON rejected_events (received_at);
  CREATE INDEX agent_credentials_node ON agent_credentials (cluster_id, node_name);
  `;
