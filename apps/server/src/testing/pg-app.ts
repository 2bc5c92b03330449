import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { connectPostgres } from '../storage/pg-connect';
import { testConfig } from './test-app';

/*
 * A whole server on a real PostgreSQL for the storage tests (server-on-postgres,
 * pg-network-cut), and their reads straight from the database.
 */

/**
 * A server (buildApp) on PostgreSQL at `databaseUrl`, its storage probe every 100 ms,
 * listening on a real socket on 127.0.0.1; pushed onto `apps` for the caller to close.
 */
export async function serverOnPostgres(
  apps: FastifyInstance[],
  o: { databaseUrl: string; dataDir: string; replicaId?: string },
): Promise<FastifyInstance> {
  const app = await buildApp({
    config: testConfig({
      databaseUrl: o.databaseUrl,
      dataDir: o.dataDir,
      ...(o.replicaId && { replicaId: o.replicaId }),
    }),
    dbPath: join(o.dataDir, 'keepwatch.db'),
    logger: false,
    storageProbeMs: 100,
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

/** One query on a pool of its own, ended after (straight to `url`, none of the server's). */
export async function pgRows<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const { pool } = await connectPostgres(url);
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

/** The seqs of the agent's stored events, in order. */
export const storedSeqs = async (url: string, agentId: string): Promise<number[]> =>
  (
    await pgRows<{ seq: number }>(url, 'SELECT seq FROM events WHERE agent_id = $1 ORDER BY seq', [
      agentId,
    ])
  ).map((r) => r.seq);
