import type { LeaseRepository } from '../../storage/lease-repository';
import { leftoverRuns } from '../status/replica-sweep';

/*
 * Drills across server replicas (SPEC RS-3, SC-5). A drill runs in the process of the replica
 * that started it, which records itself as the drill's owner and holds its replica lease
 * (`replica:<id>`, the one the status wiring keeps: modules/status/replica-wiring.ts) while
 * it lives. A drill still `running` whose owner's lease has
 * expired was left by a dead replica: another marks it interrupted (the agents have undone
 * the faults by their deadlines). Scheduled runs fire on the holder of the `drill-scheduler`
 * lease only. Without a replica (one server) neither lease exists and RS-1 holds as before.
 */

export const SCHEDULER_LEASE = 'drill-scheduler';
/** A replica's liveness lease, shared with modules/status/replica-wiring.ts. */
export const ownerLease = (replicaId: string): string => `replica:${replicaId}`;

export interface DrillReplica {
  /** This replica's id (stable for the life of the process). */
  id: string;
  /** Whether the replica `owner` still holds its owner lease. */
  alive(owner: string): Promise<boolean>;
}

/** The replica view over the lease table. */
export function leaseReplica(leases: LeaseRepository, id: string, now: () => number): DrillReplica {
  return {
    id,
    alive: async (owner) => (await leases.current(ownerLease(owner), now())) !== undefined,
  };
}

/**
 * RS-1/RS-3: the running drills nobody runs any more (modules/status/replica-sweep.ts). One
 * server: every one not running here. Replicas: those not running here whose owner is this
 * replica (a previous process of it), none (stored by a single server), or a replica whose
 * owner lease has expired; `deadOnly` (the periodic sweep, and a replica gaining the
 * scheduler lease): the last kind only, so a drill this process is just starting is never
 * taken for a leftover.
 */
export function leftovers(
  running: readonly { id: string; owner: string | null }[],
  here: (id: string) => boolean,
  replica: DrillReplica | undefined,
  deadOnly = false,
): Promise<string[]> {
  return leftoverRuns(running, here, replica, deadOnly);
}
