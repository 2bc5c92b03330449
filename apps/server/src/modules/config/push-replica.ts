import type { ActionResult, ConfigChangeInput, PushView } from '@keepwatch/shared';
import type { EventBus } from '../../plugins/event-bus';
import { clusterWorkMessage } from '../../storage/cluster-work';
import type { ConfigRepository } from '../../storage/config-repository';
import { PushRefused } from './push-refused';

/*
 * A push's bookkeeping across replicas (SPEC.md PU-10, PU-12, PU-14, PU-15); the run's steps are
 * push-service.ts and push-runner.ts, the sweep of dead replicas' pushes push-leftovers.ts.
 */

/**
 * PU-12/PU-14/PU-15: stores the new push with the replica running it (null: a single server),
 * unless a push or a drill of its cluster is running already, on any replica: then a 409
 * naming it.
 */
export async function claimPush(
  store: Pick<ConfigRepository, 'createPush'>,
  view: PushView,
  changes: readonly ConfigChangeInput[],
  owner: string | null,
): Promise<void> {
  const created = await store.createPush(view, changes, owner);
  if (created.ok) return;
  // A push or a drill of this cluster runs on another replica (or was left by a dead one).
  throw new PushRefused(409, 'busy', clusterWorkMessage(view.clusterId, created.holder));
}

/**
 * PU-10: what a rollout needs of its agents after one dropped mid-apply: when each agent's
 * current connection began, whether to this replica (agent.online, this replica's clock) or
 * to another (agent.followedOnline: the hello time its home said), and the result of its
 * latest config.apply if it came late, whether from this replica's socket (agent.data) or,
 * for an agent connected to another replica, from the store (agent.followed).
 */
export class PushAgents {
  private readonly onlineAt = new Map<string, number>();
  /** The id of each agent's latest config.apply request, and its result if it came late. */
  private readonly lastApply = new Map<string, { id: string; late?: ActionResult }>();
  private readonly offs: (() => void)[];

  constructor(bus: EventBus, now: () => number) {
    this.offs = [
      bus.on('agent.online', (e) => this.connected(e.agentId, now())),
      bus.on('agent.followedOnline', (e) => this.connected(e.agentId, e.at)),
      ...(['agent.data', 'agent.followed'] as const).map((name) =>
        bus.on(name, (e) => {
          const m = e.message;
          if (m.type !== 'action.result') return;
          const last = this.lastApply.get(e.agentId);
          if (last?.id === m.id) last.late = m;
        }),
      ),
    ];
  }

  /**
   * The latest start is the current connection's: a notice that comes late (the hello at a
   * replica the agent has left since) never moves it back. The times are on two clocks
   * across replicas, which must agree far better than observeMs (docs/storage.md, leases).
   */
  private connected(agentId: string, at: number): void {
    this.onlineAt.set(agentId, Math.max(at, this.onlineAt.get(agentId) ?? at));
  }

  /** A config.apply with this id goes to the agent: its result is kept if it comes late. */
  applying(agentId: string, id: string): void {
    this.lastApply.set(agentId, { id });
  }

  /** When the agent's current connection (here or at its home) began; undefined if not known. */
  onlineSince(agentId: string): number | undefined {
    return this.onlineAt.get(agentId);
  }

  /** The late result of the agent's latest config.apply, if it came. */
  late(agentId: string): ActionResult | undefined {
    return this.lastApply.get(agentId)?.late;
  }

  close(): void {
    for (const off of this.offs) off();
  }
}
