import type { FastifyInstance } from 'fastify';
import { LeaseKeeper } from '../../storage/lease-keeper';
import { ownerLease, SCHEDULER_LEASE } from './drill-replica';

/*
 * The leases a replica keeps for drills (drill-replica.ts): the shared scheduler lease (SC-5)
 * and, unless the status wiring already holds it (`livenessKept`), its own `replica:<id>`
 * lease (it is alive, its running drills are its own). Renewed every ttl/3 on one timer;
 * released on close so another replica takes over at once.
 */

export interface ReplicaLeases {
  /** Undefined when the status wiring keeps the replica lease. */
  owner: LeaseKeeper | undefined;
  scheduler: LeaseKeeper;
  /** Takes or renews both. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export function replicaLeases(
  app: FastifyInstance,
  replica: { id: string; leaseTtlMs?: number; livenessKept?: boolean },
  now: () => number,
  gainedScheduler: () => void,
): ReplicaLeases {
  const ttlMs = replica.leaseTtlMs ?? 15_000;
  const keeper = (name: string, onChange?: (held: boolean) => void): LeaseKeeper =>
    new LeaseKeeper({
      repo: app.repos.leases,
      name,
      holder: replica.id,
      ttlMs,
      now,
      ...(onChange && { onChange }),
      onError: (err) => app.storage.failed(err, `lease ${name}`),
    });
  const owner = replica.livenessKept ? undefined : keeper(ownerLease(replica.id));
  const scheduler = keeper(SCHEDULER_LEASE, (held) => {
    if (held) gainedScheduler();
  });
  const tick = async (): Promise<void> => {
    await owner?.tick();
    await scheduler.tick();
  };
  const timer = setInterval(app.storage.guard('drill leases', tick), Math.floor(ttlMs / 3));
  timer.unref();
  return {
    owner,
    scheduler,
    tick,
    async close() {
      clearInterval(timer);
      await scheduler.release();
      await owner?.release();
    },
  };
}
