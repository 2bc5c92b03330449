import type { FastifyBaseLogger } from 'fastify';
import type { ConfigRepository } from '../../storage/config-repository';
import { leftoverRuns, type ReplicaView } from '../status/replica-sweep';
import { interrupted } from './interrupted';

/*
 * PU-9 / PU-12: pushes nobody runs any more are marked interrupted, with what each host
 * reached (interrupted.ts). On start: those a previous process of this server left running
 * (and, with replicas, those of a dead replica); with replicas, every replica again at each
 * renewal of its lease (`deadOnly`: a dead replica's only, modules/status/replica-sweep.ts).
 * The store's interrupt is conditional on `running` (PU-13), so of replicas sweeping at once
 * one marks a push and says so; the others change nothing. Never resumed: its per-host
 * recovery (PU-10) lived in the dead process.
 */

export async function interruptLeftoverPushes(
  store: Pick<ConfigRepository, 'runningPushOwners' | 'push' | 'interruptPush'>,
  o: {
    here: (pushId: string) => boolean;
    replica: ReplicaView | undefined;
    deadOnly: boolean;
    now: () => number;
    log: Pick<FastifyBaseLogger, 'warn'>;
  },
): Promise<string[]> {
  const left = await leftoverRuns(await store.runningPushOwners(), o.here, o.replica, o.deadOnly);
  const marked: string[] = [];
  for (const id of left) {
    const view = await store.push(id);
    if (view?.status !== 'running') continue;
    const out = interrupted(view, o.now());
    if (!(await store.interruptPush(out))) continue;
    marked.push(id);
    o.log.warn({ pushId: id, clusterId: out.clusterId }, out.summary);
  }
  return marked;
}
