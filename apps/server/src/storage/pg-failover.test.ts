import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app';
import { outboxAgent, type OutboxAgent } from '../testing/outbox-agent';
import { startTcpRelay, type TcpRelay } from '../testing/tcp-relay';
import { hello, testConfig } from '../testing/test-app';
import { connectPostgres } from './pg-connect';
import { startPgCluster, type PgCluster } from './pg-harness';
import { startPgStandby, stopPrimaryHard, type PgStandby } from './pg-standby';

/*
 * PostgreSQL fails over to its synchronous standby under a running server (docs/deployment.md,
 * "What happens on each failure"). The server reaches PostgreSQL through a TCP relay of ours
 * (testing/tcp-relay.ts): what a VIP or a proxy is in production. The primary is stopped hard
 * (pg_ctl stop -m immediate) right after the agent sent more, the standby promoted, the relay
 * pointed at it. Asserted: every acknowledged message is on the new primary, every sent one
 * stored there once after the outbox replayed, the server carries on.
 */

let pg: PgCluster;
let standby: PgStandby;
let relay: TcpRelay;
let app: FastifyInstance | undefined;
let a: OutboxAgent | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'kw-pg-failover-'));

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const { pool } = await connectPostgres(url);
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  pg = await startPgCluster();
  await sql(pg.url, `ALTER DATABASE ${pg.database} SET synchronous_commit = on`);
  standby = await startPgStandby(pg);
  // A commit returns only once the standby has it (synchronous_commit = on, the default).
  await sql(pg.url, `ALTER SYSTEM SET synchronous_standby_names = '*'`);
  await sql(pg.url, 'SELECT pg_reload_conf()');
  // The standby reports in within a second or two; bounded in count (each query is awaited).
  let state: string | undefined;
  for (let i = 0; i < 200 && state !== 'sync'; i++) {
    const rows = await sql<{ s: string }>(
      pg.url,
      'SELECT sync_state AS s FROM pg_stat_replication, pg_sleep(0.1)',
    );
    state = rows[0]?.s;
  }
  if (state !== 'sync') throw new Error(`the standby is not synchronous (${state ?? 'absent'})`);
  relay = await startTcpRelay(pg.port);
}, 90_000);
afterAll(async () => {
  await a?.close().catch(() => undefined);
  await app?.close().catch(() => undefined);
  await relay?.close();
  await standby?.stop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('PostgreSQL fails over to its synchronous standby', () => {
  it('nothing acked is lost, every message stored once on the new primary, the server carries on', async () => {
    app = await buildApp({
      config: testConfig({
        databaseUrl: `postgres://${pg.user}@127.0.0.1:${relay.port}/${pg.database}`,
        dataDir,
      }),
      dbPath: join(dataDir, 'unused.db'),
      logger: false,
      storageProbeMs: 100,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const agentId = 'agent-failover';
    a = outboxAgent(app, hello({ agentId }, 'failover'));
    for (const seq of range(1, 5)) a.send(seq);
    await a.ackedBy(5, 10_000);
    // More in flight as the primary dies: some may be acked before it, some not.
    for (const seq of range(6, 8)) a.send(seq);
    stopPrimaryHard(pg);
    const ackedBeforeCrash = a.ackedSeq;
    const failedAt = Date.now();
    standby.promote();
    relay.retarget(standby.port);
    for (const seq of range(9, 10)) a.send(seq);
    await a.ackedBy(10, 45_000);
    console.info(
      `[pg-failover] acked before the crash: ${ackedBeforeCrash}; crash → seq 10 acked ${Date.now() - failedAt} ms (promote included)`,
    );
    const stored = (
      await sql<{ seq: number }>(
        standby.url,
        'SELECT seq FROM events WHERE agent_id = $1 ORDER BY seq',
        [agentId],
      )
    ).map((r) => r.seq);
    for (const { seq } of a.acks) expect(stored).toContain(seq);
    expect(stored).toEqual(range(1, 10));
    await expect.poll(() => app?.storage.ok, { timeout: 10_000, interval: 50 }).toBe(true);
  }, 120_000);
});
