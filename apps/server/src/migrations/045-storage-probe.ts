/**
 * One row the storage probe rewrites while the data folder is failing (plugins/storage-health.ts):
 * a real write, so "recovered" means SQLite could commit again, not that some space showed up.
 */
export const id = '045-storage-probe';
export const sql = `
  CREATE TABLE storage_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
  );
  `;

/** The same row in PostgreSQL. */
export const postgres = `
  CREATE TABLE storage_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
  );
  `;
