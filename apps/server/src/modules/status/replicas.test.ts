import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { VIP, acked, agent, hello, lbPairAcross, snapshot } from '../../testing/test-app';
import { useReplicaServers } from '../../testing/replica-servers';

/*
 * Two whole servers (buildApp) as replicas of one store, in one process: one SQLite file in
 * WAL mode and one in-process change feed stand for PostgreSQL and LISTEN/NOTIFY (the real
 * pair is in replica-follower.test.ts and server-on-postgres.test.ts). lb1 is
 * connected to A, lb2 to B; each server's cluster status (what its browsers are sent) must
 * show both, through a failover and an agent going away. Waits are on status changes, bounded.
 */

const replicas = useReplicaServers('kw-replicas');

/** Resolves once `pred` holds on the app's cluster store (checked at each status change). */
function until(app: FastifyInstance, what: string, pred: () => boolean, ms = 5_000): Promise<void> {
  if (pred()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within ${ms} ms`));
    }, ms);
    const off = app.bus.on('status.changed', () => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const vip = (app: FastifyInstance) => {
  const v = app.clusterStore.cluster('lab')?.vips.find((x) => x.address === VIP);
  return { holders: v?.holders ?? [], masters: v?.masters ?? [] };
};
const online = (app: FastifyInstance) =>
  (app.clusterStore.cluster('lab')?.nodes ?? []).map(
    (n) => `${n.name}:${n.online ? 'up' : 'down'}`,
  );

describe('two server replicas on one store', () => {
  it("each replica's status shows the other's agents: hello, a failover, an agent gone", async () => {
    const { a, b } = await replicas();
    const { lb1, lb2 } = await lbPairAcross(a, b);
    for (const app of [a, b])
      await until(
        app,
        'both online, lb1 holds the VIP',
        () => online(app).join() === 'lb1:up,lb2:up' && vip(app).holders.join() === 'lb1',
      );

    // The failover: lb1 (at A) lets go, lb2 (at B) takes over; both servers see lb2 alone.
    lb1.send(snapshot(2, 'BACKUP', false));
    lb2.send(snapshot(2, 'MASTER', true));
    for (const app of [a, b])
      await until(app, 'lb2 holds the VIP', () => vip(app).holders.join() === 'lb2');
    expect(vip(a)).toEqual({ holders: ['lb2'], masters: ['lb2'] });
    expect(vip(b)).toEqual({ holders: ['lb2'], masters: ['lb2'] });

    // lb1 goes away from A: B shows it offline too.
    lb1.ws.terminate();
    await until(b, 'lb1 offline at B', () => online(b).join() === 'lb1:down,lb2:up');
    expect(online(a)).toEqual(online(b));
  });

  it('a replica started after an agent said hello elsewhere shows it online at the first seen', async () => {
    const { a, start } = await replicas({ seenEveryMs: 100 });
    const lb1 = await agent(a, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await acked(lb1, 1);
    // C starts now: its resync finds lb1 stored and registers it offline; no hello will come
    // (lb1 stays at A), A's seen notices must say it is online at A.
    const c = await start('C');
    // lb1's pong is what A hears from it (the agent's 5 s heartbeat), named in A's next seen.
    const now = Date.now();
    lb1.send({ type: 'pong', id: 1, t0: now, t1: now, t2: now });
    await until(c, 'lb1 online at C', () => online(c).join() === 'lb1:up');
    expect(c.replicaLink?.follower.homeOf('agent-lb1')).toBe('A');
    expect(vip(c).holders).toEqual(['lb1']);
    // And once lb1 leaves A, C takes it offline on A's word.
    lb1.ws.terminate();
    await until(c, 'lb1 offline at C', () => online(c).join() === 'lb1:down');
  });
});
