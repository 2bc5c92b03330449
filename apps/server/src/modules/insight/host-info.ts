import type { ConfigFile, HostConfigFile } from '@keepwatch/shared';
import type { ConfigRepository } from '../../storage/config-repository';
import type { HistoryRepository } from '../../storage/history-repository';
import type { IngestRepository } from '../../storage/ingest-repository';

/*
 * Reads for the host page and readiness: agent facts (app.repos.ingest), config files and
 * hashes as history keeps them (app.repos.history), the live nginx files (app.repos.config).
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
  constructor(
    private readonly repos: {
      history: HistoryRepository;
      ingest: Pick<IngestRepository, 'agent'>;
      config: Pick<ConfigRepository, 'liveOf'>;
    },
  ) {}

  /**
   * Every node's nginx.conf and what it includes, as its agent last sent them (the config
   * module's live files), for a synchronous lookup by node.
   */
  async nginxFilesOf(
    cluster: string,
  ): Promise<(node: string) => { main: ConfigFile; includes: ConfigFile[] } | undefined> {
    const live = (await this.repos.config.liveOf(cluster)).filter((f) => f.component === 'nginx');
    return (node) => {
      const f = live.find((l) => l.node === node);
      return (
        f && {
          main: { path: f.path, content: f.content },
          includes: f.includes.map((i) => ({ path: i.path, content: i.content })),
        }
      );
    };
  }

  async agent(agentId: string): Promise<{
    facts: Record<string, string>;
    role: string | null;
    lastSeen: number | null;
  } | null> {
    const row = await this.repos.ingest.agent(agentId);
    if (!row) return null;
    const facts: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec(parse(row.facts))))
      if (typeof v === 'string') facts[k] = v;
    return { facts, role: row.role, lastSeen: row.lastSeen };
  }

  /** The newest observation of each component's config (and the files it includes). */
  async configs(cluster: string, node: string): Promise<HostConfigFile[]> {
    const rows = await this.repos.history.transitions({
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
    const state = await this.repos.history.nodeState(agentId);
    const hash = state !== undefined && rec(rec(parse(state))['configs'])[component];
    return typeof hash === 'string' && hash !== '' ? hash : undefined;
  }
}
