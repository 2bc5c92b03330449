/**
 * The finding's rule ID and facts beside each alert's English message, so the dashboard can
 * word an alert in the reader's language (SPEC.md NL-2). NULL for alerts fired before.
 */
export const id = '070-alert-args';
export const sql = `
  ALTER TABLE alerts ADD COLUMN code TEXT;
  ALTER TABLE alerts ADD COLUMN args TEXT;
  ALTER TABLE alerts ADD COLUMN text TEXT;
  `;

/** The same columns in PostgreSQL. */
export const postgres = `
  ALTER TABLE alerts ADD COLUMN code TEXT;
  ALTER TABLE alerts ADD COLUMN args TEXT;
  ALTER TABLE alerts ADD COLUMN text TEXT;
  `;
