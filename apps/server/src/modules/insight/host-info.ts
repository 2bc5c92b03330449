import type { Database, Statement } from 'better-sqlite3';
import type { ConfigFile, HostConfigFile } from '@keepwatch/shared';
import type { HistoryRepository } from '../../storage/history-repository';

/*
 * Reads for the host page and readiness: agent facts, config files and hashes from storage
 * (what history keeps through app.repos.history; the agent row and config_live still on SQLite).
 */

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export class HostReads {
  private readonly agentRow: Statement;
  private readonly liveNginx: Statement;

  constructor(
    db: Database,
    private readonly history: HistoryRepository,
  ) {
    this.agentRow = db.prepare(
      'SELECT facts, role, last_seen AS lastSeen FROM agents WHERE agent_id = ?',
    );
    // The config module's live files (config_live, migration 060), read only.
    this.liveNginx = db.prepare(
      `SELECT path, content, includes FROM config_live
       WHERE cluster_id = ? AND node = ? AND component = 'nginx'`,
    );
  }

  /** A node's nginx.conf and what it includes, as its agent last sent them. */
  nginxFiles(
    cluster: string,
    node: string,
  ): { main: ConfigFile; includes: ConfigFile[] } | undefined {
    const r = this.liveNginx.get(cluster, node) as
      { path: string; content: string; includes: string | null } | undefined;
    if (!r) return undefined;
    const includes = r.includes ? (JSON.parse(r.includes) as ConfigFile[]) : [];
    return {
      main: { path: r.path, content: r.content },
      includes: includes.map((f) => ({ path: f.path, content: f.content })),
    };
  }

  agent(
    agentId: string,
  ): { facts: Record<string, string>; role: string | null; lastSeen: number | null } | null {
    const row = this.agentRow.get(agentId) as
      { facts: string; role: string; lastSeen: number } | undefined;
    if (!row) return null;
    const facts: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec(parse(row.facts))))
      if (typeof v === 'string') facts[k] = v;
    return { facts, role: row.role, lastSeen: row.lastSeen };
  }

  /** The newest observation of each component's config (and the files it includes). */
  async configs(cluster: string, node: string): Promise<HostConfigFile[]> {
    const rows = await this.history.transitions({
      cluster,
      node,
      types: ['config.observed'],
      newestFirst: true,
      limit: 50,
    });
    const seen = new Set<string>();
    const out: HostConfigFile[] = [];
    for (const r of rows) {
      const c = rec(rec(parse(r.data))['config']);
      const component = str(c['component']);
      if (component === null || seen.has(component)) continue;
      seen.add(component);
      const test = rec(c['test']);
      out.push({
        component,
        path: str(c['path']),
        sha256: str(c['hash']),
        observedAt: r.ts,
        testOk: typeof test['ok'] === 'boolean' ? test['ok'] : null,
        included: false,
      });
      for (const f of Array.isArray(c['files']) ? c['files'].map(rec) : []) {
        out.push({
          component,
          path: str(f['path']),
          sha256: str(f['hash']),
          observedAt: r.ts,
          testOk: null,
          included: true,
        });
      }
    }
    return out.sort((a, b) => a.component.localeCompare(b.component));
  }

  /** sha256 of a component's main config as history last knew it for an agent. */
  async configHash(agentId: string, component: string): Promise<string | undefined> {
    const state = await this.history.nodeState(agentId);
    const hash = state !== undefined && rec(rec(parse(state))['configs'])[component];
    return typeof hash === 'string' && hash !== '' ? hash : undefined;
  }
}
