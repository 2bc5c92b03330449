import type { FastifyPluginAsync } from 'fastify';
import { draftRoutes } from './draft-routes';
import { LiveFiles, observationsOf } from './live-files';
import { interruptLeftoverPushes } from './push-leftovers';
import { neighboursOf } from './neighbours';
import type { PushTuning } from './push-runner';
import { pushRoutes } from './push-routes';
import { PushService } from './push-service';
import type { ConfigRouteContext } from './route-context';
import { versionRoutes } from './version-routes';

/*
 * Configuration management, server side (README.md): live files, analysis of a draft,
 * versions, drift, and the push rollout. REST shapes: packages/shared protocol/config-api.ts.
 * Routes by meaning: draft-routes.ts (read, analyse, render, drift), version-routes.ts
 * (changesets, diff, roll back), push-routes.ts (push, pushes). Storage: app.repos.config
 * (storage/config-repository.ts), SQLite or PostgreSQL.
 */

export interface ConfigModuleOptions {
  now: () => number;
  /** Rollout timings (tests shorten them); see push-runner.ts. */
  pushTuning?: Partial<PushTuning>;
}

const configModule: FastifyPluginAsync<ConfigModuleOptions> = async (app, opts) => {
  const store = app.repos.config;
  const live = new LiveFiles(store);
  const service = new PushService({
    app,
    live,
    store,
    now: opts.now,
    ...(opts.pushTuning && { tuning: opts.pushTuning }),
  });
  // PU-9: what a previous process left running is interrupted, said so, never resumed blind;
  // PU-12: with replicas, dead replicas' too, and again at each renewal of the replica lease.
  const leftovers = (deadOnly: boolean): Promise<string[]> =>
    interruptLeftoverPushes(store, {
      here: (id) => service.done(id) !== undefined,
      replica: app.replica,
      deadOnly,
      now: opts.now,
      log: app.log,
    });
  await leftovers(false);
  const offSweep = app.replica?.sweep(() => leftovers(true));
  const off = app.bus.on('agent.data', (e) => {
    for (const obs of observationsOf(e.message))
      live
        .observe(e.agentId, obs)
        .catch((err: unknown) =>
          app.log.warn({ err, agentId: e.agentId }, 'config: could not store a live file'),
        );
  });
  const offOnline = app.bus.on('agent.online', (e) =>
    live.identify(e.agentId, e.hello.node.cluster.id, e.hello.node.name),
  );
  app.addHook('onClose', async () => {
    off();
    offOnline();
    offSweep?.();
    await service.close();
  });

  const ctx: ConfigRouteContext = {
    live,
    store,
    service,
    known: async (id) => app.clusterStore.hasCluster(id) || (await live.list(id)).length > 0,
    neighbours: (id) => neighboursOf(live, id),
  };
  draftRoutes(app, ctx);
  versionRoutes(app, ctx);
  pushRoutes(app, ctx);
};

export default configModule;
