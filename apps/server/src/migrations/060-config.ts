/**
 * Configuration management (issue 9): the live files the agents observe (kept across a
 * restart, so drift and the push's base survive it), versions (changesets: every load
 * balancer's files after a push) and pushes with their per-host progress.
 */
export const id = '060-config';
export const sql = `
  CREATE TABLE config_live (
    cluster_id TEXT NOT NULL,
    node TEXT NOT NULL,
    component TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    includes TEXT,
    test TEXT,
    observed_at INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, node, component)
  ) WITHOUT ROWID;
  CREATE TABLE config_changesets (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    push_id TEXT,
    rollback_of TEXT
  );
  CREATE INDEX config_changesets_cluster ON config_changesets (cluster_id, created_at);
  CREATE TABLE config_changeset_files (
    changeset_id TEXT NOT NULL REFERENCES config_changesets(id) ON DELETE CASCADE,
    node TEXT NOT NULL,
    component TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    changed INTEGER NOT NULL,
    PRIMARY KEY (changeset_id, node, component)
  ) WITHOUT ROWID;
  CREATE TABLE config_pushes (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    changeset_id TEXT,
    rollback_of TEXT,
    hosts TEXT NOT NULL,
    changes TEXT NOT NULL
  );
  CREATE INDEX config_pushes_cluster ON config_pushes (cluster_id, created_at);
  `;

/** The same tables in PostgreSQL. */
export const postgres = `
  CREATE TABLE config_live (
    cluster_id TEXT NOT NULL,
    node TEXT NOT NULL,
    component TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    includes TEXT,
    test TEXT,
    observed_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, node, component)
  );
  CREATE TABLE config_changesets (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    push_id TEXT,
    rollback_of TEXT
  );
  CREATE INDEX config_changesets_cluster ON config_changesets (cluster_id, created_at);
  CREATE TABLE config_changeset_files (
    changeset_id TEXT NOT NULL REFERENCES config_changesets(id) ON DELETE CASCADE,
    node TEXT NOT NULL,
    component TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    changed INTEGER NOT NULL,
    PRIMARY KEY (changeset_id, node, component)
  );
  CREATE TABLE config_pushes (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    changeset_id TEXT,
    rollback_of TEXT,
    hosts TEXT NOT NULL,
    changes TEXT NOT NULL
  );
  CREATE INDEX config_pushes_cluster ON config_pushes (cluster_id, created_at);
  `;
