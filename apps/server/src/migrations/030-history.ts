/**
 * History that stays small: transitions with their agent times (indexed by cluster/node and
 * time), numeric series stored as compressed chunks (raw hour → minute day → hour day), the
 * derived per-agent state used to turn snapshots into changes, and the highest stored seq per
 * agent (events get pruned, the dedupe must not forget what was acknowledged).
 */
export const id = '030-history';
export const sql = `
  ALTER TABLE agents ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE agents SET last_seq = COALESCE((SELECT MAX(seq) FROM events WHERE events.agent_id = agents.agent_id), 0);
  CREATE TABLE history_transitions (
    id INTEGER PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    node TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    part INTEGER NOT NULL,
    ts REAL NOT NULL,
    received_at INTEGER NOT NULL,
    type TEXT NOT NULL,
    summary TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (agent_id, seq, part)
  );
  CREATE INDEX history_transitions_cluster_ts ON history_transitions (cluster_id, ts);
  CREATE INDEX history_transitions_node_ts ON history_transitions (cluster_id, node, ts);
  CREATE INDEX history_transitions_ts ON history_transitions (ts);
  CREATE TABLE history_node_state (
    agent_id TEXT PRIMARY KEY,
    state TEXT NOT NULL
  );
  CREATE TABLE history_series (
    id INTEGER PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    node TEXT NOT NULL,
    metric TEXT NOT NULL,
    UNIQUE (cluster_id, node, metric)
  );
  CREATE TABLE history_chunks (
    series_id INTEGER NOT NULL,
    res INTEGER NOT NULL,
    start INTEGER NOT NULL,
    sealed INTEGER NOT NULL DEFAULT 0,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, res, start)
  ) WITHOUT ROWID;
  CREATE INDEX history_chunks_res_start ON history_chunks (res, sealed, start);
  `;
