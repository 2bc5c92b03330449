import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config';
import type { ReplicaOptions } from './modules/status/replica-wiring';
import { PgChangeFeed } from './storage/change-feed';
import { connectPostgres, pgClientConfig } from './storage/pg-connect';
import type { PostgresAtStart } from './storage/postgres-start';

/** Connections the change feed publishes on (one round of notices is out at a time). */
const FEED_POOL_MAX = 2;

/**
 * On PostgreSQL every server is a replica (issue 12): a PgChangeFeed on the same database
 * carries live changes between them, and after its listening connection came back (PostgreSQL
 * restarted) the follower reads every agent again. The id is KEEPWATCH_REPLICA_ID, or the one
 * kept in KEEPWATCH_DATA (config.ts), or (no data folder: tests) one made for this process.
 */
export async function pgReplica(
  app: FastifyInstance,
  pg: PostgresAtStart,
  config: ServerConfig,
): Promise<ReplicaOptions> {
  const id = config.replicaId ?? `keepwatch-${randomBytes(4).toString('hex')}`;
  app.log.info(
    {
      replica: id,
      from: config.replicaIdFile ?? (config.replicaId ? 'KEEPWATCH_REPLICA_ID' : 'this process'),
    },
    `replica id ${id}`,
  );
  // The feed's NOTIFYs on a pool of their own: on the shared one they queued behind the batch
  // writer and the follower's reads, and the other replica heard seconds late (the replicas
  // bench, `pnpm bench ingest-replicas`, 10,000 agents).
  const url = config.databaseUrl ?? '';
  const { pool: feedPool } = await connectPostgres(url, {
    max: FEED_POOL_MAX,
    onIdleError: (err) => app.log.warn({ err }, 'change feed pool connection'),
  });
  const feed = new PgChangeFeed({
    pool: feedPool,
    // The pool's timeouts and keepalive (pg-connect.ts) for the listening connection too.
    client: pgClientConfig(url),
    onResync: () => {
      app.replicaLink?.follower
        .resync()
        .catch((err: unknown) => app.log.error({ err }, 'replica resync failed'));
    },
    onError: (err) => app.log.warn({ err }, 'change feed connection'),
  });
  // Its listening connection first (a failure is retried with backoff, and resyncs then).
  await feed.start();
  // Registered before the status plugin, so it closes after it (and before the db plugin's pool).
  app.addHook('onClose', async () => {
    await feed.close();
    await feedPool.end();
  });
  return { id, feed };
}
