import type { ConfigChangeInput, PushView } from '@keepwatch/shared';
import type { ConfigRepository, PushCreateOutcome } from './config-repository';
import { runningClusterWork } from './sql-cluster-work';
import { txRun, type SqlDriver, type TxBody } from './sql-driver';

/*
 * The pushes half of ConfigRepository (config_pushes: PU-9, PU-12..PU-15), over either
 * driver; sql-config.ts adds the live files and the changesets. Newest-first lists break a
 * tie on the creation time by id.
 */

type PushMethods =
  | 'createPush'
  | 'savePush'
  | 'interruptPush'
  | 'push'
  | 'pushes'
  | 'runningPushes'
  | 'runningPushOwners';

interface PushRow {
  id: string;
  cluster_id: string;
  created_at: number | string;
  finished_at: number | string | null;
  author: string;
  message: string;
  dry_run: number;
  status: PushView['status'];
  summary: string;
  changeset_id: string | null;
  rollback_of: string | null;
  hosts: string;
}

const fromPush = (r: PushRow): PushView => ({
  id: r.id,
  clusterId: r.cluster_id,
  status: r.status,
  hosts: JSON.parse(r.hosts) as PushView['hosts'],
  summary: r.summary,
  message: r.message,
  author: r.author,
  dryRun: r.dry_run === 1,
  createdAt: Number(r.created_at),
  ...(r.finished_at !== null && { finishedAt: Number(r.finished_at) }),
  ...(r.changeset_id !== null && { changesetId: r.changeset_id }),
  ...(r.rollback_of !== null && { rollbackOf: r.rollback_of }),
});

const PUSH_COLUMNS =
  'id, cluster_id, created_at, finished_at, author, message, dry_run, status, summary, changeset_id, rollback_of, hosts';

export class SqlConfigPushes implements Pick<ConfigRepository, PushMethods> {
  constructor(protected readonly q: SqlDriver) {}

  createPush(
    view: PushView,
    changes: readonly ConfigChangeInput[],
    owner: string | null = null,
  ): Promise<PushCreateOutcome> {
    const row = [
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
      owner,
    ];
    return this.q.transaction(function* (): TxBody<PushCreateOutcome> {
      // PU-14/PU-15: a running push or drill of the cluster, on any replica, refuses it.
      const holder = yield* runningClusterWork(view.clusterId);
      if (holder) return { ok: false, holder };
      yield txRun(
        `INSERT INTO config_pushes (id, cluster_id, created_at, finished_at, author, message, dry_run,
           status, summary, changeset_id, rollback_of, hosts, changes, owner)
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12)`,
        row,
      );
      return { ok: true };
    });
  }

  async savePush(view: PushView): Promise<void> {
    // PU-13: interrupted is final (a cut-off replica's late progress does not undo it).
    await this.setPush(view, "status <> 'interrupted'");
  }

  async interruptPush(view: PushView): Promise<boolean> {
    return (await this.setPush(view, "status = 'running'")) > 0;
  }

  private setPush(view: PushView, condition: string): Promise<number> {
    return this.q.run(
      `UPDATE config_pushes SET status = $1, summary = $2, hosts = $3, finished_at = $4, changeset_id = $5
       WHERE id = $6 AND ${condition}`,
      [
        view.status,
        view.summary,
        JSON.stringify(view.hosts),
        view.finishedAt ?? null,
        view.changesetId ?? null,
        view.id,
      ],
    );
  }

  async push(id: string): Promise<PushView | undefined> {
    const r = await this.q.get<PushRow>(`SELECT ${PUSH_COLUMNS} FROM config_pushes WHERE id = $1`, [
      id,
    ]);
    return r && fromPush(r);
  }

  async pushes(clusterId: string, limit = 100): Promise<PushView[]> {
    return (
      await this.q.all<PushRow>(
        `SELECT ${PUSH_COLUMNS} FROM config_pushes WHERE cluster_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [clusterId, limit],
      )
    ).map(fromPush);
  }

  runningPushOwners(): Promise<{ id: string; owner: string | null }[]> {
    return this.q.all<{ id: string; owner: string | null }>(
      `SELECT id, owner FROM config_pushes WHERE status = 'running' ORDER BY created_at, id`,
    );
  }

  async runningPushes(): Promise<PushView[]> {
    return (
      await this.q.all<PushRow>(
        `SELECT ${PUSH_COLUMNS} FROM config_pushes WHERE status = 'running' ORDER BY created_at, id`,
      )
    ).map(fromPush);
  }
}
