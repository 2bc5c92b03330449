import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lbPairAcross } from '../../testing/test-app';
import { useReplicaServers } from '../../testing/replica-servers';
import { ALERT_LEASE, ALERTS_CHANNEL } from './alert-replica';

/*
 * SPEC AL-10 with two whole servers (buildApp) as replicas of one store (one SQLite file in
 * WAL mode, one in-process feed; testing/replica-servers.ts). lb1 is connected to A, lb2 to
 * B; both replicas see lb1 go away. Waits are on bus events, bounded.
 */

const replicas = useReplicaServers('kw-alert-replicas');

/** Resolves once `pred` holds, checked at each `alerts.changed` of the app. */
function untilAlerts(app: FastifyInstance, what: string, pred: () => boolean): Promise<void> {
  if (pred()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what}: not within 5000 ms`));
    }, 5_000);
    const off = app.bus.on('alerts.changed', () => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const offlineAlerts = (app: FastifyInstance) =>
  app.alerts.list().active.filter((a) => a.rule === 'AGENT_OFFLINE');

describe('AL-10 alerts of two replicas', () => {
  it('AL-10: a finding both replicas see fires once; the other replica lists it too', async () => {
    const { a, b } = await replicas({ alerts: { holdMs: 0, startupGraceMs: 0 } });
    // A started first: it holds the alert-evaluation lease, B does not.
    expect((await a.repos.leases.current(ALERT_LEASE, Date.now()))?.holder).toBe('A');

    const { lb1 } = await lbPairAcross(a, b);

    lb1.ws.terminate();
    await untilAlerts(a, 'AGENT_OFFLINE fired at A', () => offlineAlerts(a).length > 0);
    await untilAlerts(b, 'AGENT_OFFLINE listed at B', () => offlineAlerts(b).length > 0);
    // Both servers saw lb1 offline; one row in the table, the same one in both lists.
    const rows = (await a.repos.alerts.active()).filter((x) => x.rule === 'AGENT_OFFLINE');
    expect(rows).toHaveLength(1);
    expect(offlineAlerts(b).map((x) => x.id)).toEqual(offlineAlerts(a).map((x) => x.id));
  });

  it('AL-10: a notice that is not { from } is refused, nothing is read again', async () => {
    const { b, feed } = await replicas();
    let changes = 0;
    b.bus.on('alerts.changed', () => (changes += 1));
    const nextChange = () =>
      new Promise<void>((resolve) => {
        const off = b.bus.on('alerts.changed', () => {
          off();
          resolve();
        });
      });
    // Two refused, then A's word twice: B reads the alerts again twice, and only twice.
    await feed.publish(ALERTS_CHANNEL, { from: '' });
    await feed.publish(ALERTS_CHANNEL, 'A');
    let next = nextChange();
    await feed.publish(ALERTS_CHANNEL, { from: 'A' });
    await next;
    next = nextChange();
    await feed.publish(ALERTS_CHANNEL, { from: 'A' });
    await next;
    expect(changes).toBe(2);
  });
});
