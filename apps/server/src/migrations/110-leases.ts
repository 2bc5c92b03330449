/**
 * Leases (issue 12 item 3): work that must run exactly once across server replicas
 * (detection, alerting, scheduled drills, rollouts) is done by the holder of its lease. One
 * row per lease: who holds it, until when (the holder's clock, ms), and an epoch that grows
 * each time the lease changes hands (a fencing token: work started under an older epoch is
 * known to be stale). storage/lease-repository.ts is the contract.
 */
export const id = '110-leases';
export const sql = `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    epoch INTEGER NOT NULL
  );
  `;

/** The same table in PostgreSQL. */
export const postgres = `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    epoch INTEGER NOT NULL
  );
  `;
