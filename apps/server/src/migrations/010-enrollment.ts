/**
 * Enrollment: one-time tokens an admin hands to a new host, and the per-agent credentials
 * they are exchanged for. Only sha256 digests of secrets are stored.
 */
export const id = '010-enrollment';
export const sql = `
  CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    note TEXT,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT,
    revoked_at INTEGER
  );
  -- credential_hash NULL: an agent id banned without ever enrolling (a revoked lab agent).
  CREATE TABLE agent_credentials (
    agent_id TEXT PRIMARY KEY,
    credential_hash TEXT,
    hostname TEXT,
    node_name TEXT,
    cluster_id TEXT,
    role TEXT,
    token_id TEXT,
    enrolled_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  `;

/** The same tables in PostgreSQL (storage/pg-migrations.ts). */
export const postgres = `
  CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    note TEXT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by TEXT,
    revoked_at BIGINT
  );
  CREATE TABLE agent_credentials (
    agent_id TEXT PRIMARY KEY,
    credential_hash TEXT,
    hostname TEXT,
    node_name TEXT,
    cluster_id TEXT,
    role TEXT,
    token_id TEXT,
    enrolled_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  `;
