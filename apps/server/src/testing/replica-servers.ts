import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp, type BuildAppOptions } from '../app';
import { LocalChangeFeed } from '../storage/change-feed';
import { testConfig } from './test-app';

export interface ReplicaPair {
  a: FastifyInstance;
  b: FastifyInstance;
  feed: LocalChangeFeed;
  /** Starts one more replica on the same store and feed (a late start). */
  start: (id: string) => Promise<FastifyInstance>;
}

/**
 * Two whole servers (buildApp) as replicas A and B of one store, in one process: one SQLite
 * file in WAL mode and one in-process change feed stand for PostgreSQL and LISTEN/NOTIFY.
 * Call once in a file or describe block; the servers and their folder go after each test.
 */
export function useReplicaServers(
  prefix: string,
): (opts?: {
  leaseTtlMs?: number;
  seenEveryMs?: number;
  alerts?: BuildAppOptions['alerts'];
  pushTuning?: BuildAppOptions['pushTuning'];
}) => Promise<ReplicaPair> {
  const dirs: string[] = [];
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return async (opts = {}) => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    dirs.push(dir);
    const feed = new LocalChangeFeed();
    const start = async (id: string) => {
      const app = await buildApp({
        config: testConfig({ port: 0 }),
        dbPath: join(dir, 'keepwatch.db'),
        logger: false,
        ...(opts.alerts !== undefined && { alerts: opts.alerts }),
        ...(opts.pushTuning !== undefined && { pushTuning: opts.pushTuning }),
        replica: {
          id,
          feed,
          ...(opts.leaseTtlMs !== undefined && { leaseTtlMs: opts.leaseTtlMs }),
          ...(opts.seenEveryMs !== undefined && { seenEveryMs: opts.seenEveryMs }),
        },
      });
      apps.push(app);
      await app.ready();
      return app;
    };
    const a = await start('A');
    const b = await start('B');
    return { a, b, feed, start };
  };
}
