import type { Database } from 'better-sqlite3';
import type { AgentDataMessage, ConfigComponentKind, ConfigObservation } from '@keepwatch/shared';

/*
 * The live files every load balancer's agent observes (config.observed, and the configs of
 * a snapshot), one row per host and component, kept in SQLite so a restarted server still
 * knows what each host runs (drift, and the base of the next push) before agents resend.
 */

export interface LiveFile {
  clusterId: string;
  node: string;
  component: ConfigComponentKind;
  agentId: string;
  path: string;
  sha256: string;
  content: string;
  includes: { path: string; sha256: string; content: string }[];
  test?: { ok: boolean; code: number | null; output: string };
  observedAt: number;
}

interface Row {
  cluster_id: string;
  node: string;
  component: ConfigComponentKind;
  agent_id: string;
  path: string;
  sha256: string;
  content: string;
  includes: string | null;
  test: string | null;
  observed_at: number;
}

function fromRow(r: Row): LiveFile {
  return {
    clusterId: r.cluster_id,
    node: r.node,
    component: r.component,
    agentId: r.agent_id,
    path: r.path,
    sha256: r.sha256,
    content: r.content,
    includes: r.includes ? (JSON.parse(r.includes) as LiveFile['includes']) : [],
    ...(r.test !== null && { test: JSON.parse(r.test) as NonNullable<LiveFile['test']> }),
    observedAt: r.observed_at,
  };
}

/** The observations a data message carries (a snapshot may carry both components). */
export function observationsOf(msg: AgentDataMessage): ConfigObservation[] {
  if (msg.type === 'config.observed') return [msg.config];
  if (msg.type === 'snapshot') return msg.configs ?? [];
  return [];
}

export class LiveFileStore {
  private readonly listeners = new Set<(clusterId: string, file: LiveFile) => void>();

  /** agent → node, from hellos (the agents row may still sit in the batch writer). */
  private readonly identities = new Map<string, { cluster_id: string; node_name: string }>();

  constructor(private readonly db: Database) {}

  /** An agent passed its hello as this node of this cluster. */
  identify(agentId: string, clusterId: string, node: string): void {
    this.identities.set(agentId, { cluster_id: clusterId, node_name: node });
  }

  /** Records what an agent observed; ignored without a path, hash and content (unreadable). */
  observe(agentId: string, obs: ConfigObservation): LiveFile | undefined {
    if (obs.hash === undefined || obs.path === undefined || obs.content === undefined) return;
    const who =
      this.identities.get(agentId) ??
      (this.db
        .prepare('SELECT cluster_id, node_name FROM agents WHERE agent_id = ?')
        .get(agentId) as { cluster_id: string; node_name: string } | undefined);
    if (!who) return;
    const file: LiveFile = {
      clusterId: who.cluster_id,
      node: who.node_name,
      component: obs.component,
      agentId,
      path: obs.path,
      sha256: obs.hash,
      content: obs.content,
      includes: (obs.files ?? []).map((f) => ({
        path: f.path,
        sha256: f.hash,
        content: f.content,
      })),
      ...(obs.test !== undefined && { test: obs.test }),
      observedAt: obs.checkedAt,
    };
    this.db
      .prepare(
        `INSERT INTO config_live (cluster_id, node, component, agent_id, path, sha256, content, includes, test, observed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster_id, node, component) DO UPDATE SET agent_id = excluded.agent_id,
           path = excluded.path, sha256 = excluded.sha256, content = excluded.content,
           includes = excluded.includes, test = excluded.test, observed_at = excluded.observed_at`,
      )
      .run(
        file.clusterId,
        file.node,
        file.component,
        agentId,
        file.path,
        file.sha256,
        file.content,
        JSON.stringify(file.includes),
        file.test === undefined ? null : JSON.stringify(file.test),
        file.observedAt,
      );
    for (const l of this.listeners) l(file.clusterId, file);
    return file;
  }

  /** Every cluster with a live file, sorted. */
  clusters(): string[] {
    return (
      this.db.prepare('SELECT DISTINCT cluster_id FROM config_live ORDER BY cluster_id').all() as {
        cluster_id: string;
      }[]
    ).map((r) => r.cluster_id);
  }

  /** Every live file of a cluster, by host then component. */
  list(clusterId: string): LiveFile[] {
    return (
      this.db
        .prepare('SELECT * FROM config_live WHERE cluster_id = ? ORDER BY node, component')
        .all(clusterId) as Row[]
    ).map(fromRow);
  }

  get(clusterId: string, node: string, component: ConfigComponentKind): LiveFile | undefined {
    const r = this.db
      .prepare('SELECT * FROM config_live WHERE cluster_id = ? AND node = ? AND component = ?')
      .get(clusterId, node, component) as Row | undefined;
    return r && fromRow(r);
  }

  /** Called after every recorded observation (the push waits for its file to show up). */
  onObserved(listener: (clusterId: string, file: LiveFile) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
