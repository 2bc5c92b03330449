import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerHealthResponse, StatusResponse } from '@keepwatch/shared';
import { VIP, agent, hello, login, snapshot, type TestSocket } from '../testing/test-app';
import { pgRows, serverOnPostgres, storedSeqs } from '../testing/pg-app';
import { startPgCluster, type PgCluster } from './pg-harness';

/*
 * The whole server on a real PostgreSQL (KEEPWATCH_DATABASE_URL): login, an agent's hello and
 * data acked after commit, the cluster status restored by a server restart, and PostgreSQL
 * restarted under a running server (nothing acked that was not stored, nothing lost once the
 * agent replays). Each test's server listens on a real socket; the cluster is removed after
 * the suite whatever happens (pg-harness.ts).
 */

let pg: PgCluster;
const dataDir = mkdtempSync(join(tmpdir(), 'kw-server-pg-'));
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  pg = await startPgCluster();
  // The harness turns synchronous_commit off for speed: a commit could then be lost by the
  // immediate stop below, which is PostgreSQL's durability, not the server's. On here.
  await sql(`ALTER DATABASE ${pg.database} SET synchronous_commit = on`);
}, 60_000);
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  await pg?.stop();
});

const server = (replicaId?: string): Promise<FastifyInstance> =>
  serverOnPostgres(apps, { databaseUrl: pg.url, dataDir, ...(replicaId && { replicaId }) });

const sql = <T>(text: string, params?: unknown[]): Promise<T[]> => pgRows<T>(pg.url, text, params);

async function get<T>(app: FastifyInstance, token: string, url: string): Promise<T> {
  const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return res.json<T>();
}

const acked = (s: TestSocket, seq: number) =>
  s.next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq, 10_000);

describe('the server on PostgreSQL', () => {
  it('logs in, stores an agent, and restores the cluster status after a restart', async () => {
    const first = await server();
    // Nothing of it in SQLite: no file in KEEPWATCH_DATA, app.db refused.
    expect(existsSync(join(dataDir, 'keepwatch.db'))).toBe(false);
    expect(() => first.db).toThrow(/on PostgreSQL use app.repos/);
    const token = await login(first);
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect((await sql<{ n: number }>('SELECT count(*)::int AS n FROM sessions'))[0]?.n).toBe(1);

    const lb1 = await agent(first, hello({}, 'lb1'));
    expect(lb1.messages.find((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 0 });
    lb1.send(snapshot(1, 'MASTER', true));
    lb1.send(snapshot(2, 'MASTER', true, 2_000));
    await acked(lb1, 2);
    // The ack came after the commit: both rows are in PostgreSQL by then.
    expect(await storedSeqs(pg.url, 'agent-lb1')).toEqual([1, 2]);
    const agents = await sql<{ node_name: string }>('SELECT node_name FROM agents');
    expect(agents).toEqual([{ node_name: 'lb1' }]);
    const live = await get<StatusResponse>(first, token, '/api/v1/status');
    expect(live.clusters[0]?.nodes).toMatchObject([{ name: 'lb1', online: true }]);
    expect((await get<ServerHealthResponse>(first, token, '/api/v1/health')).storage.ok).toBe(true);
    lb1.ws.close();
    await lb1.closed;
    await first.close();

    const second = await server();
    // The session made on the first server still logs in on the second (it is in PostgreSQL).
    const restored = await get<StatusResponse>(second, token, '/api/v1/status');
    const cluster = restored.clusters[0];
    expect(cluster?.nodes).toMatchObject([{ name: 'lb1', online: false, vipsHeld: [] }]);
    expect(cluster?.vips.map((v) => v.address)).toEqual([VIP]);
    const again = await agent(second, hello({}, 'lb1'));
    expect(again.messages.find((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 2 });
    again.ws.close();
    await again.closed;
    await second.close();
  });

  it('PostgreSQL restarted under a running server: nothing unstored is acked, nothing lost', async () => {
    const app = await server();
    const token = await login(app);
    const h = hello({ agentId: 'agent-lb2' }, 'lb2');
    const lb2 = await agent(app, h);
    lb2.send(snapshot(1, 'BACKUP', false));
    lb2.send(snapshot(2, 'BACKUP', false, 2_000));
    await acked(lb2, 2);

    await pg.restart(async () => {
      // PostgreSQL is down: these cannot be stored, so they are not acked; the socket closes.
      lb2.send(snapshot(3, 'MASTER', true, 3_000));
      lb2.send(snapshot(4, 'MASTER', true, 4_000));
      const closed = await lb2.closed;
      expect(closed.code).toBe(1011);
      expect(lb2.messages.filter((m) => m['type'] === 'ack' && Number(m['seq']) > 2)).toEqual([]);
      expect(app.storage.ok).toBe(false);
    });

    // Back up: the probe sees it, the agent says hello again and replays what was not acked.
    await expect.poll(() => app.storage.ok, { timeout: 10_000, interval: 50 }).toBe(true);
    const back = await agent(app, h);
    const welcome = back.messages.find((m) => m['type'] === 'welcome');
    expect(welcome).toMatchObject({ ackedSeq: 2 });
    back.send(snapshot(3, 'MASTER', true, 3_000));
    back.send(snapshot(4, 'MASTER', true, 4_000));
    await acked(back, 4);
    expect(await storedSeqs(pg.url, 'agent-lb2')).toEqual([1, 2, 3, 4]);
    const status = await get<StatusResponse>(app, token, '/api/v1/status');
    const lb2Node = status.clusters[0]?.nodes.find((n) => n.name === 'lb2');
    expect(lb2Node).toMatchObject({ online: true, vipsHeld: [VIP] });
    back.ws.close();
    await back.closed;
    await app.close();
  });

  it('two replicas on one PostgreSQL: an agent at A is seen at B, and B resyncs after a PostgreSQL restart', async () => {
    const a = await server('replica-a');
    const b = await server('replica-b');
    expect(a.replicaLink?.follower).toBeDefined();
    const token = await login(a);
    const h = hello({ agentId: 'agent-lb3' }, 'lb3');
    const lb3 = await agent(a, h);
    lb3.send(snapshot(1, 'MASTER', true));
    await acked(lb3, 1);
    const lb3At = async (app: FastifyInstance) =>
      (await get<StatusResponse>(app, token, '/api/v1/status')).clusters[0]?.nodes.find(
        (n) => n.name === 'lb3',
      );
    // The session made at A works at B; B shows what lb3 told A, through the change feed.
    await expect
      .poll(() => lb3At(b), { timeout: 10_000, interval: 50 })
      .toMatchObject({ online: true, vipsHeld: [VIP] });

    const follower = b.replicaLink?.follower;
    if (!follower) throw new Error('B runs no replica follower');
    const resync = vi.spyOn(follower, 'resync');
    await pg.restart();
    // B's listening connection comes back and B reads every agent again (a notice sent while
    // it was away is not lost).
    await expect.poll(() => resync.mock.calls.length, { timeout: 15_000, interval: 50 }).toBe(1);
    await expect.poll(() => a.storage.ok, { timeout: 10_000, interval: 50 }).toBe(true);
    lb3.ws.close();
    await lb3.closed;
    const back = await agent(a, h);
    back.send(snapshot(2, 'BACKUP', false, 2_000));
    await acked(back, 2);
    await expect
      .poll(() => lb3At(b), { timeout: 10_000, interval: 50 })
      .toMatchObject({ online: true, vipsHeld: [] });
    back.ws.close();
    await back.closed;
    await a.close();
    await b.close();
  });
});
