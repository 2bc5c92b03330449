import type { Database } from 'better-sqlite3';
import type { ChangesetDetail, ChangesetSummary, ConfigComponentKind } from '@keepwatch/shared';

/*
 * Versions: a changeset is every load balancer's files of one cluster after a push (files a
 * push did not touch are carried over with changed = false), so any two can be diffed and
 * any one pushed back whole. The first push of a cluster also records a baseline, "as found
 * before the first push", so the very first change can be rolled back too.
 */

export interface ChangesetFile {
  host: string;
  component: ConfigComponentKind;
  path: string;
  sha256: string;
  content: string;
  changed: boolean;
}

export interface NewChangeset {
  id: string;
  clusterId: string;
  createdAt: number;
  author: string;
  message: string;
  pushId?: string;
  rollbackOf?: string;
  files: ChangesetFile[];
}

interface CsRow {
  id: string;
  cluster_id: string;
  created_at: number;
  author: string;
  message: string;
  push_id: string | null;
  rollback_of: string | null;
}

interface FileRow {
  node: string;
  component: ConfigComponentKind;
  path: string;
  sha256: string;
  content: string;
  changed: number;
}

export class ChangesetStore {
  constructor(private readonly db: Database) {}

  add(cs: NewChangeset): void {
    const insert = this.db.prepare(
      'INSERT INTO config_changesets (id, cluster_id, created_at, author, message, push_id, rollback_of) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const file = this.db.prepare(
      'INSERT INTO config_changeset_files (changeset_id, node, component, path, sha256, content, changed) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      insert.run(
        cs.id,
        cs.clusterId,
        cs.createdAt,
        cs.author,
        cs.message,
        cs.pushId ?? null,
        cs.rollbackOf ?? null,
      );
      for (const f of cs.files)
        file.run(cs.id, f.host, f.component, f.path, f.sha256, f.content, f.changed ? 1 : 0);
    })();
  }

  /** Newest first. */
  list(clusterId: string, limit = 200): ChangesetSummary[] {
    const rows = this.db
      .prepare(
        'SELECT * FROM config_changesets WHERE cluster_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      )
      .all(clusterId, limit) as CsRow[];
    return rows.map((r) => this.summary(r, this.files(r.id)));
  }

  latest(clusterId: string): ChangesetDetail | undefined {
    const r = this.db
      .prepare(
        'SELECT * FROM config_changesets WHERE cluster_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      )
      .get(clusterId) as CsRow | undefined;
    return r && this.detail(r);
  }

  get(id: string): ChangesetDetail | undefined {
    const r = this.db.prepare('SELECT * FROM config_changesets WHERE id = ?').get(id) as
      CsRow | undefined;
    return r && this.detail(r);
  }

  private files(id: string): FileRow[] {
    return this.db
      .prepare(
        'SELECT node, component, path, sha256, content, changed FROM config_changeset_files WHERE changeset_id = ? ORDER BY node, component',
      )
      .all(id) as FileRow[];
  }

  private summary(r: CsRow, files: FileRow[]): ChangesetSummary {
    return {
      id: r.id,
      clusterId: r.cluster_id,
      author: r.author,
      createdAt: r.created_at,
      message: r.message,
      ...(r.push_id !== null && { pushId: r.push_id }),
      ...(r.rollback_of !== null && { rollbackOf: r.rollback_of }),
      files: files.map((f) => ({
        host: f.node,
        component: f.component,
        path: f.path,
        sha256: f.sha256,
        changed: f.changed === 1,
      })),
    };
  }

  private detail(r: CsRow): ChangesetDetail {
    const files = this.files(r.id);
    return {
      ...this.summary(r, files),
      contents: files.map((f) => ({
        host: f.node,
        component: f.component,
        path: f.path,
        sha256: f.sha256,
        content: f.content,
      })),
    };
  }
}
