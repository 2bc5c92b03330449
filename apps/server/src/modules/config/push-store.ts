import type { Database } from 'better-sqlite3';
import type { ConfigChangeInput, PushView } from '@keepwatch/shared';

/*
 * Pushes as rows: the whole PushView as JSON beside the columns lists and restarts need.
 * Written on every change, so a server that stops mid-push finds what each host reached and
 * marks the push interrupted on start (SPEC.md PU-9): never silently half-applied.
 */

interface Row {
  hosts: string;
  status: PushView['status'];
  summary: string;
  finished_at: number | null;
  changeset_id: string | null;
  id: string;
  cluster_id: string;
  created_at: number;
  author: string;
  message: string;
  dry_run: number;
  rollback_of: string | null;
}

function fromRow(r: Row): PushView {
  return {
    id: r.id,
    clusterId: r.cluster_id,
    status: r.status,
    hosts: JSON.parse(r.hosts) as PushView['hosts'],
    summary: r.summary,
    message: r.message,
    author: r.author,
    dryRun: r.dry_run === 1,
    createdAt: r.created_at,
    ...(r.finished_at !== null && { finishedAt: r.finished_at }),
    ...(r.changeset_id !== null && { changesetId: r.changeset_id }),
    ...(r.rollback_of !== null && { rollbackOf: r.rollback_of }),
  };
}

export class PushStore {
  constructor(private readonly db: Database) {}

  create(view: PushView, changes: readonly ConfigChangeInput[]): void {
    this.db
      .prepare(
        `INSERT INTO config_pushes (id, cluster_id, created_at, finished_at, author, message, dry_run,
           status, summary, changeset_id, rollback_of, hosts, changes)
         VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
      )
      .run(
        view.id,
        view.clusterId,
        view.createdAt,
        view.author,
        view.message,
        view.dryRun ? 1 : 0,
        view.status,
        view.summary,
        view.rollbackOf ?? null,
        JSON.stringify(view.hosts),
        JSON.stringify(changes.map((c) => ({ host: c.host, component: c.component }))),
      );
  }

  save(view: PushView): void {
    this.db
      .prepare(
        'UPDATE config_pushes SET status = ?, summary = ?, hosts = ?, finished_at = ?, changeset_id = ? WHERE id = ?',
      )
      .run(
        view.status,
        view.summary,
        JSON.stringify(view.hosts),
        view.finishedAt ?? null,
        view.changesetId ?? null,
        view.id,
      );
  }

  get(id: string): PushView | undefined {
    const r = this.db.prepare('SELECT * FROM config_pushes WHERE id = ?').get(id) as
      Row | undefined;
    return r && fromRow(r);
  }

  list(clusterId: string, limit = 100): PushView[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM config_pushes WHERE cluster_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
        )
        .all(clusterId, limit) as Row[]
    ).map(fromRow);
  }

  /** PU-9: pushes a previous process left running, marked interrupted with what each host reached. */
  interruptRunning(now: number): PushView[] {
    const rows = this.db
      .prepare("SELECT * FROM config_pushes WHERE status = 'running'")
      .all() as Row[];
    return rows.map((r) => {
      const view = fromRow(r);
      const applied = view.hosts.filter((h) => h.status === 'applied').map((h) => h.host);
      const midway = view.hosts.filter((h) =>
        ['applying', 'verifying', 'validating'].includes(h.status),
      );
      for (const h of midway) {
        h.status = 'interrupted';
        h.error =
          'the server stopped during this step: the agent finished or rolled back by itself; its live file (GET config) says which';
      }
      for (const h of view.hosts)
        if (h.status === 'pending' || h.status === 'validated') h.status = 'skipped';
      const out: PushView = {
        ...view,
        status: 'interrupted',
        finishedAt: now,
        summary:
          `interrupted: the server stopped mid-push. ` +
          (applied.length > 0
            ? `Applied on ${applied.join(', ')}; `
            : 'No host was changed by it; ') +
          (midway.length > 0
            ? `${midway.map((h) => h.host).join(', ')} was mid-step (see its live file); `
            : '') +
          'the other hosts were not touched.',
      };
      this.save(out);
      return out;
    });
  }
}
