import { join } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { CloseCode } from '@keepwatch/shared';
import { defaultAgentDist, type ServerConfig } from './config';
import agentDistModule from './modules/agent-dist/index';
import agentsModule, { type AgentsModuleOptions } from './modules/agents/index';
import agentSocket from './modules/agents/agent-socket-plugin';
import auditPlugin from './modules/audit/audit-plugin';
import auditModule from './modules/audit/index';
import authModule from './modules/auth/index';
import agentCredentials from './modules/enrollment/agent-credentials-plugin';
import enrollmentModule from './modules/enrollment/index';
import alertsPlugin from './modules/alerts/alerts-plugin';
import alertsModule from './modules/alerts/index';
import liveModule from './modules/live/index';
import logRelay from './modules/log-relay/index';
import metricsModule from './modules/metrics/index';
import historyModule from './modules/history/index';
import historyPlugin from './modules/history/history-plugin';
import serverHealthModule from './modules/server-health/index';
import statusModule from './modules/status/index';
import statusStore from './modules/status/status-store-plugin';
import type { ReplicaOptions } from './modules/status/replica-wiring';
import usersModule from './modules/users/index';
import webModule from './modules/web/index';
import type { AlertsPluginOptions } from './modules/alerts/alerts-plugin';
import accessGuard, { markRoutesPublic } from './plugins/access-guard';
import authPlugin from './plugins/auth';
import { hostPolicy } from './plugins/host-policy';
import dbPlugin from './plugins/db';
import { startPostgres, type PostgresAtStart } from './storage/postgres-start';
import { pgReplica } from './pg-replica';
import eventBus from './plugins/event-bus';
import { AJV_OPTIONS, assertClosedRequestSchemas } from './plugins/strict-routes';
import { withRedaction } from './plugins/log-redaction';
import { errorBody } from './error-body';
import serverMetrics from './plugins/server-metrics';
import actionsPlugin from './modules/actions/index';
import clusterOps from './modules/cluster-ops/index';
import maintenancePlugin from './modules/maintenance/maintenance-plugin';
import maintenanceModule from './modules/maintenance/index';
import insightModule from './modules/insight/index';
import drillsModule, { type DrillsModuleOptions } from './modules/drills/index';
import configModule from './modules/config/index';
import type { PushTuning } from './modules/config/push-runner';

export interface BuildAppOptions {
  /** Config push rollout timings (tests shorten them): modules/config/push-runner.ts. */
  pushTuning?: Partial<PushTuning>;
  config: ServerConfig;
  /** SQLite file; default <dataDir>/keepwatch.db. ':memory:' in tests. */
  dbPath?: string;
  /** Fastify logger option; default: pino at config.logLevel. */
  logger?: boolean | object;
  /** Clock for timestamps (sessions, events, status); default Date.now. */
  now?: () => number;
  /** Alert timing overrides (tests); see modules/alerts/alert-service.ts. */
  alerts?: AlertsPluginOptions['tuning'];
  /** How often a failing data folder is probed (plugins/db.ts); default 5 s. */
  storageProbeMs?: number;
  /** Drill runner overrides (tests): timing, clock limit, proof age. */
  drills?: Omit<DrillsModuleOptions, 'now'>;
  /**
   * Server replicas sharing one store (issue 12): this one's id and the change feed between
   * them (modules/status/replica-wiring.ts). Unset: one server.
   */
  replica?: ReplicaOptions;
  /** Per-agent frame/byte budget overrides (tests); see modules/agents/ingest-budget.ts. */
  agentBudget?: AgentsModuleOptions['budget'];
}

/** The whole server as a Fastify instance, ready to listen or to `inject` in tests. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  // Before anything else: a PostgreSQL URL that cannot be used stops the start (no SQLite
  // fallback); a usable one is migrated and the server runs on it (plugins/db.ts).
  const pg = config.databaseUrl !== undefined ? await startPostgres(config.databaseUrl) : undefined;
  try {
    return await assemble(opts, pg);
  } catch (err) {
    await pg?.pool.end().catch(() => undefined);
    await pg?.writePool.end().catch(() => undefined);
    throw err;
  }
}

async function assemble(
  opts: BuildAppOptions,
  pg: PostgresAtStart | undefined,
): Promise<FastifyInstance> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
  const app = Fastify({
    // Query-string credentials (the live feed's ?token=) never reach the log (plugins/log-redaction.ts).
    logger: withRedaction(opts.logger ?? { level: config.logLevel }),
    // Agents replay outboxes in bursts; a snapshot with many addresses can be large.
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // Unknown properties are refused with a 400, not stripped (plugins/strict-routes.ts).
    ajv: AJV_OPTIONS,
    ...(config.trustProxy !== undefined && { trustProxy: config.trustProxy }),
    // KEEPWATCH_TLS_CERT/KEY: https and wss here, no proxy needed (tls-config.ts).
    ...(config.tls && { https: { cert: config.tls.cert, key: config.tls.key } }),
  });

  app.addHook('onRoute', assertClosedRequestSchemas);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = errorBody(err, pg ? 'postgres' : 'sqlite');
    if (body.error === 'storage_unavailable')
      app.storage.failed(err, `${request.method} ${request.routeOptions.url ?? request.url}`);
    else if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  });

  // Before the guard: its onRequest hook marks upgrade requests so a refused upgrade's
  // socket is destroyed after the answer (else it stays half-open and close() hangs).
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    preClose(done) {
      for (const client of app.websocketServer.clients) {
        client.close(CloseCode.serverShutdown, 'server shutting down');
      }
      done();
    },
  });
  // Then the guard, before any route: its hooks must reach every route and the not-found
  // handler (plugins/auth.ts).
  await app.register(accessGuard, {
    hosts: hostPolicy({
      listen: config.hosts,
      names: [...(config.publicUrl ? [config.publicUrl] : []), ...(config.allowedHosts ?? [])],
    }),
    metricsToken: config.metricsToken,
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Keepwatch API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'kw_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  // The API's description is no secret (the code is open source).
  await app.register(async (docs) => {
    markRoutesPublic(docs);
    await docs.register(swaggerUi, { routePrefix: '/api/docs' });
  });

  if (pg)
    app.log.info(
      { postgres: pg.where, version: pg.serverVersion, migrated: pg.applied },
      'storage: PostgreSQL',
    );
  const replica =
    opts.replica ?? (pg && config.databaseUrl ? await pgReplica(app, pg, config) : undefined);
  await app.register(dbPlugin, {
    path: opts.dbPath ?? join(config.dataDir, 'keepwatch.db'),
    ...(pg && { postgres: { pool: pg.pool, writePool: pg.writePool, where: pg.where } }),
    now,
    ...(opts.storageProbeMs !== undefined && { probeMs: opts.storageProbeMs }),
  });
  await app.register(eventBus);
  // Who is online, and (SPEC.md in modules/agents) the ingest hooks: before their readers.
  await app.register(agentSocket);
  await app.register(serverMetrics);
  await app.register(actionsPlugin);
  await app.register(clusterOps, { now });
  await app.register(auditPlugin, { now });
  await app.register(authPlugin, {
    now,
    ...(config.adminPassword !== undefined && { adminPassword: config.adminPassword }),
  });
  await app.register(statusStore, {
    now,
    ...(replica !== undefined && { replica }),
    ...(config.clockSkewMs !== undefined && { thresholds: { clockSkewMs: config.clockSkewMs } }),
  });
  await app.register(logRelay, { now });
  await app.register(alertsPlugin, {
    now,
    ...(opts.alerts !== undefined && { tuning: opts.alerts }),
    // With replicas, one evaluates under the alert-evaluation lease (SPEC AL-9, AL-10).
    ...(replica !== undefined && {
      replica: {
        id: replica.id,
        feed: replica.feed,
        ...(replica.leaseTtlMs !== undefined && { leaseTtlMs: replica.leaseTtlMs }),
      },
    }),
  });
  await app.register(maintenancePlugin, { now });
  await app.register(metricsModule);
  await app.register(historyPlugin, {
    now,
    ...(config.retention && { retention: config.retention }),
  });
  await app.register(agentCredentials, {
    now,
    sharedToken: config.agentToken,
    allowSharedToken: config.allowSharedAgentToken ?? false,
  });

  await app.register(
    async (api) => {
      await api.register(authModule, { now });
      await api.register(usersModule, { now });
      await api.register(auditModule);
      await api.register(agentsModule, {
        agentToken: config.agentToken,
        now,
        ...(config.clockSkewMs !== undefined && { clockSkewMs: config.clockSkewMs }),
        ...(opts.agentBudget !== undefined && { budget: opts.agentBudget }),
      });
      await api.register(enrollmentModule, { now });
      await api.register(agentDistModule, {
        dir: config.agentDist ?? defaultAgentDist(),
        tls: config.tls,
      });
      await api.register(statusModule);
      await api.register(serverHealthModule);
      await api.register(historyModule);
      await api.register(liveModule, { now });
      await api.register(alertsModule, { now });
      await api.register(maintenanceModule, { now });
      await api.register(insightModule, { now });
      await api.register(configModule, {
        now,
        ...(opts.pushTuning !== undefined && { pushTuning: opts.pushTuning }),
      });
    },
    { prefix: '/api/v1' },
  );
  await app.register(drillsModule, {
    now,
    ...(config.drillStaleDays !== undefined && { staleMs: config.drillStaleDays * 86_400_000 }),
    // With replicas, drills record their owner and fire schedules under one lease (RS-3, SC-5).
    ...(replica !== undefined && {
      replica: { id: replica.id, livenessKept: true },
    }),
    ...opts.drills,
  });
  await app.register(webModule, { webDist: config.webDist });
  return app;
}
