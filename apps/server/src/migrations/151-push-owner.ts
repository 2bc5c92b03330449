/**
 * Config pushes across server replicas (issue 12 item 3, config SPEC PU-12): the replica that
 * runs a push (its rollout lives in that process) is recorded with it, so another replica can
 * tell a push of a live owner from one left `running` by a replica that died (its
 * `replica:<id>` lease expired). NULL: stored by a single server before this migration.
 */
export const id = '151-push-owner';
export const sql = `
  ALTER TABLE config_pushes ADD COLUMN owner TEXT;
  `;

/** The same change in PostgreSQL. */
export const postgres = `
  ALTER TABLE config_pushes ADD COLUMN owner TEXT;
  `;
