/**
 * Drills across server replicas (issue 12 item 3, drills SPEC RS-3): the replica that runs a
 * drill (its runner lives in that process) is recorded with it, so another replica can tell a
 * drill of a live owner from one left `running` by a replica that died (its owner lease
 * expired). NULL: stored by a single server before this migration.
 */
export const id = '130-drill-owner';
export const sql = `
  ALTER TABLE drills ADD COLUMN owner TEXT;
  `;

/** The same change in PostgreSQL. */
export const postgres = `
  ALTER TABLE drills ADD COLUMN owner TEXT;
  `;
