import type { AgentDataMessage, ConfigObservation } from '@keepwatch/shared';
import type { ConfigRepository, LiveFile } from '../../storage/config-repository';

/*
 * The live files every load balancer's agent observes (config.observed, and the configs of
 * a snapshot), one per host and component, kept in the store (app.repos.config) so a
 * restarted server still knows what each host runs (drift, and the base of the next push)
 * before agents resend. Writes are queued one after another, so a later observation of a
 * file is never overwritten by an earlier one on a pooled connection.
 */

export type { LiveFile } from '../../storage/config-repository';

/** The observations a data message carries (a snapshot may carry both components). */
export function observationsOf(msg: AgentDataMessage): ConfigObservation[] {
  if (msg.type === 'config.observed') return [msg.config];
  if (msg.type === 'snapshot') return msg.configs ?? [];
  return [];
}

export class LiveFiles {
  /** agent → node, from hellos (the agents row may still sit in the batch writer). */
  private readonly identities = new Map<string, { clusterId: string; node: string }>();

  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly repo: ConfigRepository) {}

  /** An agent passed its hello as this node of this cluster. */
  identify(agentId: string, clusterId: string, node: string): void {
    this.identities.set(agentId, { clusterId, node });
  }

  /**
   * Records what an agent observed; undefined without a path, hash and content (unreadable)
   * or for an agent of no known node.
   */
  observe(agentId: string, obs: ConfigObservation): Promise<LiveFile | undefined> {
    const run = this.writes.then(() => this.store(agentId, obs));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async store(agentId: string, obs: ConfigObservation): Promise<LiveFile | undefined> {
    if (obs.hash === undefined || obs.path === undefined || obs.content === undefined) return;
    const who = this.identities.get(agentId) ?? (await this.repo.agentNode(agentId));
    if (!who) return;
    const file: LiveFile = {
      clusterId: who.clusterId,
      node: who.node,
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
    await this.repo.saveLive(file);
    return file;
  }

  /** Every live file of a cluster, by host then component. */
  list(clusterId: string): Promise<LiveFile[]> {
    return this.repo.liveOf(clusterId);
  }

  get(
    clusterId: string,
    node: string,
    component: LiveFile['component'],
  ): Promise<LiveFile | undefined> {
    return this.repo.liveFile(clusterId, node, component);
  }

  /** Every cluster's live files, by cluster, host and component. */
  all(): Promise<LiveFile[]> {
    return this.repo.allLive();
  }
}
