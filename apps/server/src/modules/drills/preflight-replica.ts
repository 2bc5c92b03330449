import type { FastifyInstance } from 'fastify';

/*
 * Preflight across replicas (SPEC.md PF-5, PF-7): a drill started on this replica may fault
 * agents connected to another (their home). What preflight checks of them must be what their
 * home would check: that they are online and not silent (the followed status), the `control`
 * their hello announced (the stored hello, read by the replica follower when the home says
 * hello: modules/status/replica-follower.ts `controlOf`), and their clock offset (measured only
 * where the agent is connected: the home's announcer says it with its `seen` notices, the
 * follower records it in this replica's cluster store, where PF-7 and the runner read it).
 */

/** The `control` an online agent announced, wherever it is connected; undefined = not known. */
export function agentControl(
  app: FastifyInstance,
  local: ReadonlyMap<string, readonly string[]>,
  clusterId: string,
  node: string,
): readonly string[] | undefined {
  const a = app.clusterStore.agentFor(clusterId, node);
  if (!a?.online) return undefined;
  const follower = app.replica?.follower;
  // At another replica: that home's hello is what counts, not one it once said here.
  if (follower?.homeOf(a.agentId) !== undefined) return follower.controlOf(a.agentId);
  return local.get(a.agentId);
}

/**
 * With replicas: the clock offsets measured here go to the others through this replica's
 * announcer. Returns the unsubscribe.
 */
export function shareClockOffsets(app: FastifyInstance): () => void {
  const announcer = app.replica?.announcer;
  if (!announcer) return () => {};
  return app.bus.on('agent.clock', (e) => announcer.clock(e.agentId, e.offsetMs));
}
