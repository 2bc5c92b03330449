import type { FastifyInstance } from 'fastify';
import { ActionRouting } from '../actions/action-routing';
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

declare module 'fastify' {
  interface FastifyInstance {
    /** This replica's part in the shared state; only with `replica` options (app.ts). */
    replica?: ReplicaLink;
  }
}

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
  /** This replica's id. */
  id: string;
  /** Whether the replica still holds its `replica:<id>` lease. */
  alive(replica: string): Promise<boolean>;
  /**
   * Adds a sweep run after each renewal of this replica's lease (replica-sweep.ts: drills and
   * pushes of dead replicas); returns its removal.
   */
  sweep(fn: () => Promise<unknown>): () => void;
  follower: ReplicaFollower;
  announcer: ReplicaAnnouncer;
  /** Actions for agents at another replica go to it (modules/actions/action-routing.ts). */
  routing: ActionRouting;
  /** The status stage's additions (called from its ingest hook). */
  online(agentId: string, at: number): void;
  data(agentId: string, seq: number): void;
  seen(agentId: string): void;
  offline(agentId: string, at: number): void;
  stop(): Promise<void>;
  /**
   * Tests: as if the process died here: nothing more is said, followed or renewed, and the
   * lease is left to expire (stop() afterwards releases nothing).
   */
  crash(): void;
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
    onEvent: (agentId, message, at) => app.bus.emit('agent.followed', { agentId, message, at }),
    onOnline: (agentId, replica, at) =>
      app.bus.emit('agent.followedOnline', { agentId, replica, at }),
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
  // Listening first, then the read: a notice sent between this replica's read and its LISTEN
  // would be heard by no one here, and its agent's events would wait for the next notice.
  await o.feed.ready();
  // Agents stored by replicas that started after this one's restore.
  await follower.resync();
  const alive = async (r: string): Promise<boolean> =>
    (await app.repos.leases.current(`replica:${r}`, now())) !== undefined;
  const routing = new ActionRouting({
    replica: o.id,
    feed: o.feed,
    repo: app.repos.actionRequests,
    dispatcher: app.actions,
    homeOf: (agentId) => follower.homeOf(agentId),
    alive,
    now,
    onError,
  });
  routing.start();
  const sweepers = new Set<() => Promise<unknown>>();
  let ticking = false;
  const timer = setInterval(
    () => {
      // A slow store: one round at a time (the next interval starts the next one).
      if (ticking) return;
      ticking = true;
      const gone = new Set<string>();
      const aliveNoted = async (r: string): Promise<boolean> => {
        const up = await alive(r);
        if (!up) gone.add(r);
        return up;
      };
      void lease
        .tick()
        .then(() => follower.checkHomes(aliveNoted, now()))
        // RA-4: requests handed to a home that died will not be answered through it.
        .then(async () => {
          for (const r of gone) app.actions.homeGone(r);
          await routing.prune();
          // One after another; one failing does not keep the others from running.
          for (const fn of [...sweepers])
            await fn().catch((err: unknown) => onError(err, 'replica sweep'));
        })
        .catch((err: unknown) => onError(err, 'replica presence'))
        .finally(() => {
          ticking = false;
        });
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  let crashed = false;
  const link: ReplicaLink = {
    id: o.id,
    alive,
    sweep(fn) {
      sweepers.add(fn);
      return () => void sweepers.delete(fn);
    },
    follower,
    announcer,
    routing,
    online: (agentId, at) => {
      follower.local(agentId);
      announcer.hello(agentId, at);
    },
    data: (agentId, seq) => follower.appliedLocally(agentId, seq),
    seen: (agentId) => announcer.seen(agentId),
    offline: (agentId, at) => {
      follower.localGone(agentId);
      announcer.offline(agentId, at);
    },
    async stop() {
      clearInterval(timer);
      app.agentSocket.committed.delete(onCommitted);
      follower.stop();
      routing.stop();
      await announcer.stop();
      await follower.idle();
      if (crashed) return;
      await lease.release().catch((err: unknown) => onError(err, 'replica lease release'));
    },
    crash() {
      crashed = true;
      clearInterval(timer);
      app.agentSocket.committed.delete(onCommitted);
      follower.stop();
      announcer.silence();
      routing.stop();
    },
  };
  app.decorate('replica', link);
  return link;
}
