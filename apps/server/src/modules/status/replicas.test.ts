import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { LocalChangeFeed } from '../../storage/change-feed';
import { VIP, agent, hello, snapshot, testConfig, type TestSocket } from '../../testing/test-app';

/*
 * Two whole servers (buildApp) as replicas of one store, in one process: one SQLite file in
 * WAL mode and one in-process change feed stand for PostgreSQL and LISTEN/NOTIFY (the real
 * pair is in replica-follower.test.ts; the server does not start on PostgreSQL yet). lb1 is
 * connected to A, lb2 to B; each server's cluster status (what its browsers are sent) must
 * show both, through a failover and an agent going away. Waits are on status changes, bounded.
 */

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function replicas(): Promise<[FastifyInstance, FastifyInstance]> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-replicas-'));
  dirs.push(dir);
  const feed = new LocalChangeFeed();
  const start = async (id: string) => {
    const app = await buildApp({
      config: testConfig({ port: 0 }),
      dbPath: join(dir, 'keepwatch.db'),
      logger: false,
      replica: { id, feed },
    });
    apps.push(app);
    await app.ready();
    return app;
  };
  return [await start('A'), await start('B')];
}

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

async function acked(sock: TestSocket, seq: number): Promise<void> {
  await sock.next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq);
}

describe('two server replicas on one store', () => {
  it("each replica's status shows the other's agents: hello, a failover, an agent gone", async () => {
    const [a, b] = await replicas();
    const lb1 = await agent(a, hello({}, 'lb1'));
    lb1.send(snapshot(1, 'MASTER', true));
    await acked(lb1, 1);
    const lb2 = await agent(b, hello({}, 'lb2'));
    lb2.send(snapshot(1, 'BACKUP', false));
    await acked(lb2, 1);
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
});
