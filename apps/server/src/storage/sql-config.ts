import type { ChangesetDetail, ChangesetSummary, ConfigComponentKind } from '@keepwatch/shared';
import type { ConfigRepository, LiveFile, NewChangeset } from './config-repository';
import { txRun, type TxBody } from './sql-driver';
import { SqlConfigPushes } from './sql-config-pushes';

/*
 * ConfigRepository (config-repository.ts) once, over either driver: the live files and the
 * changesets here, the pushes in sql-config-pushes.ts. JSON columns are TEXT in both engines;
 * newest-first lists break a tie on the creation time by id (one push runs per cluster at a
 * time, and a baseline is dated before its push, so ties do not occur in use).
 */

interface LiveRow {
  cluster_id: string;
  node: string;
  component: ConfigComponentKind;
  agent_id: string;
  path: string;
  sha256: string;
  content: string;
  includes: string | null;
  test: string | null;
  observed_at: number | string;
}

const fromLive = (r: LiveRow): LiveFile => ({
  clusterId: r.cluster_id,
  node: r.node,
  component: r.component,
  agentId: r.agent_id,
  path: r.path,
  sha256: r.sha256,
  content: r.content,
  includes: r.includes ? (JSON.parse(r.includes) as LiveFile['includes']) : [],
  ...(r.test !== null && { test: JSON.parse(r.test) as NonNullable<LiveFile['test']> }),
  observedAt: Number(r.observed_at),
});

interface ChangesetRow {
  id: string;
  cluster_id: string;
  created_at: number | string;
  author: string;
  message: string;
  push_id: string | null;
  rollback_of: string | null;
}

interface FileRow {
  changeset_id: string;
  node: string;
  component: ConfigComponentKind;
  path: string;
  sha256: string;
  content: string;
  changed: number;
}

const LIVE = 'SELECT * FROM config_live';
const BY_HOST = 'ORDER BY node, component';
const FILE_COLUMNS = 'changeset_id, node, component, path, sha256, content, changed';

function summaryOf(r: ChangesetRow, files: readonly FileRow[]): ChangesetSummary {
  return {
    id: r.id,
    clusterId: r.cluster_id,
    author: r.author,
    createdAt: Number(r.created_at),
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

function* addBody(cs: NewChangeset): TxBody<void> {
  yield txRun(
    'INSERT INTO config_changesets (id, cluster_id, created_at, author, message, push_id, rollback_of) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [
      cs.id,
      cs.clusterId,
      cs.createdAt,
      cs.author,
      cs.message,
      cs.pushId ?? null,
      cs.rollbackOf ?? null,
    ],
  );
  for (const f of cs.files)
    yield txRun(
      `INSERT INTO config_changeset_files (${FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [cs.id, f.host, f.component, f.path, f.sha256, f.content, f.changed ? 1 : 0],
    );
}

export class SqlConfig extends SqlConfigPushes implements ConfigRepository {
  async saveLive(f: LiveFile): Promise<void> {
    await this.q.run(
      `INSERT INTO config_live (cluster_id, node, component, agent_id, path, sha256, content, includes, test, observed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (cluster_id, node, component) DO UPDATE SET agent_id = excluded.agent_id,
         path = excluded.path, sha256 = excluded.sha256, content = excluded.content,
         includes = excluded.includes, test = excluded.test, observed_at = excluded.observed_at`,
      [
        f.clusterId,
        f.node,
        f.component,
        f.agentId,
        f.path,
        f.sha256,
        f.content,
        JSON.stringify(f.includes),
        f.test === undefined ? null : JSON.stringify(f.test),
        f.observedAt,
      ],
    );
  }

  async liveOf(clusterId: string): Promise<LiveFile[]> {
    return (await this.q.all<LiveRow>(`${LIVE} WHERE cluster_id = $1 ${BY_HOST}`, [clusterId])).map(
      fromLive,
    );
  }

  async liveFile(
    clusterId: string,
    node: string,
    component: ConfigComponentKind,
  ): Promise<LiveFile | undefined> {
    const r = await this.q.get<LiveRow>(
      `${LIVE} WHERE cluster_id = $1 AND node = $2 AND component = $3`,
      [clusterId, node, component],
    );
    return r && fromLive(r);
  }

  async allLive(): Promise<LiveFile[]> {
    return (await this.q.all<LiveRow>(`${LIVE} ORDER BY cluster_id, node, component`)).map(
      fromLive,
    );
  }

  async agentNode(agentId: string): Promise<{ clusterId: string; node: string } | undefined> {
    const r = await this.q.get<{ cluster_id: string; node_name: string }>(
      'SELECT cluster_id, node_name FROM agents WHERE agent_id = $1',
      [agentId],
    );
    return r && { clusterId: r.cluster_id, node: r.node_name };
  }

  addChangeset(cs: NewChangeset): Promise<void> {
    return this.q.transaction(() => addBody(cs));
  }

  async changesets(clusterId: string, limit = 200): Promise<ChangesetSummary[]> {
    const rows = await this.q.all<ChangesetRow>(
      'SELECT * FROM config_changesets WHERE cluster_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
      [clusterId, limit],
    );
    if (rows.length === 0) return [];
    // The files of every listed changeset in one query.
    const files = await this.q.all<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM config_changeset_files f
       WHERE f.changeset_id IN (SELECT id FROM config_changesets WHERE cluster_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2)
       ORDER BY node, component`,
      [clusterId, limit],
    );
    return rows.map((r) =>
      summaryOf(
        r,
        files.filter((f) => f.changeset_id === r.id),
      ),
    );
  }

  async latestChangeset(clusterId: string): Promise<ChangesetDetail | undefined> {
    const r = await this.q.get<ChangesetRow>(
      'SELECT * FROM config_changesets WHERE cluster_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
      [clusterId],
    );
    return r && this.detail(r);
  }

  async changeset(id: string): Promise<ChangesetDetail | undefined> {
    const r = await this.q.get<ChangesetRow>('SELECT * FROM config_changesets WHERE id = $1', [id]);
    return r && this.detail(r);
  }

  private async detail(r: ChangesetRow): Promise<ChangesetDetail> {
    const files = await this.q.all<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM config_changeset_files WHERE changeset_id = $1 ORDER BY node, component`,
      [r.id],
    );
    return {
      ...summaryOf(r, files),
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
