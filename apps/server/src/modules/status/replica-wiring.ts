import type { FastifyInstance } from 'fastify';
import type { ChangeFeed } from '../../storage/change-feed';
import { LeaseKeeper } from '../../storage/lease-keeper';
import type { ClusterStore } from './cluster-store';
import { ReplicaAnnouncer } from './replica-announcer';
import { ReplicaFollower } from './replica-follower';

/*
 * One replica's part in the shared live state (docs/storage.md, "Replicas"): it announces its
 * own agents (hello, committed data, who it heard from, offline), follows the others' through
 * the store, holds its `replica:<id>` lease while it runs, and takes the agents of a replica
 * whose lease expired offline. Only with `replica` options: one server runs none of it.
 */

export interface ReplicaOptions {
  /** This replica's id, unique among the replicas sharing the store. */
  id: string;
  feed: ChangeFeed;
  /** The replica lease's time to live (default 9 s); renewed and checked every third of it. */
  leaseTtlMs?: number;
  /** How often the agents heard from are announced (default 5 s). */
  seenEveryMs?: number;
}

export interface ReplicaLink {
  follower: ReplicaFollower;
  announcer: ReplicaAnnouncer;
  /** The status stage's additions (called from its ingest hook). */
  online(agentId: string, at: number): void;
  data(agentId: string, seq: number): void;
  seen(agentId: string): void;
  offline(agentId: string, at: number): void;
  stop(): Promise<void>;
}

export async function linkReplica(
  app: FastifyInstance,
  store: ClusterStore,
  applied: ReadonlyMap<string, number>,
  o: ReplicaOptions,
  now: () => number,
): Promise<ReplicaLink> {
  const onError = (err: unknown, what = 'replica notice') =>
    app.log.error({ err }, `${what} failed`);
  const ttlMs = o.leaseTtlMs ?? 9_000;
  const lease = new LeaseKeeper({
    repo: app.repos.leases,
    name: `replica:${o.id}`,
    holder: o.id,
    ttlMs,
    now,
    onError: (err) => onError(err, 'replica lease'),
  });
  await lease.tick();
  const follower = new ReplicaFollower({
    replica: o.id,
    feed: o.feed,
    repo: app.repos.ingest,
    store,
    applied,
    onError,
  });
  const announcer = new ReplicaAnnouncer({
    replica: o.id,
    feed: o.feed,
    now,
    ...(o.seenEveryMs !== undefined && { seenEveryMs: o.seenEveryMs }),
    onError,
  });
  const onCommitted = (agentId: string, seq: number): void => announcer.stored(agentId, seq);
  app.agentSocket.committed.add(onCommitted);
  follower.start();
  announcer.start();
  // Agents stored by replicas that started after this one's restore.
  await follower.resync();
  const alive = async (r: string): Promise<boolean> =>
    (await app.repos.leases.current(`replica:${r}`, now())) !== undefined;
  const timer = setInterval(
    () => {
      void lease
        .tick()
        .then(() => follower.checkHomes(alive, now()))
        .catch((err: unknown) => onError(err, 'replica presence'));
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    follower,
    announcer,
    online: (agentId, at) => {
      follower.local(agentId);
      announcer.hello(agentId, at);
    },
    data: (agentId, seq) => follower.appliedLocally(agentId, seq),
    seen: (agentId) => announcer.seen(agentId),
    offline: (agentId, at) => announcer.offline(agentId, at),
    async stop() {
      clearInterval(timer);
      app.agentSocket.committed.delete(onCommitted);
      follower.stop();
      await announcer.stop();
      await follower.idle();
      await lease.release().catch((err: unknown) => onError(err, 'replica lease release'));
    },
  };
}
