/**
 * Maintenance windows (modules/maintenance): a cluster, or one node of it (`node` NULL = the
 * whole cluster), is in maintenance from `starts_at` until `ends_at`; an early end lowers
 * `ends_at` and records who ended it.
 */
export const id = '071-maintenance';
export const sql = `
  CREATE TABLE maintenance_windows (
    id INTEGER PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    node TEXT,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ended_by TEXT
  );
  CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);
  `;
