/**
 * Drills (modules/drills): one row per drill with its options, preflight and report as JSON
 * (the report is written at each phase change, whole, so a restarted server reads the last
 * one it wrote), and the drill schedules.
 */
export const id = '050-drills';
export const sql = `
  CREATE TABLE drills (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    phase TEXT NOT NULL,
    options TEXT NOT NULL,
    preflight TEXT,
    report TEXT NOT NULL,
    started_by TEXT NOT NULL,
    schedule_id INTEGER,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    error TEXT
  );
  CREATE INDEX drills_cluster ON drills (cluster_id, started_at DESC);
  CREATE INDEX drills_status ON drills (status);
  CREATE TABLE drill_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    window TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_run_at INTEGER,
    last_drill_id TEXT,
    last_result TEXT
  );
  `;
