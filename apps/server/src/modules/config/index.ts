import type { FastifyPluginAsync } from 'fastify';
import { draftRoutes } from './draft-routes';
import { LiveFiles, observationsOf } from './live-files';
import { interrupted } from './interrupted';
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
  // PU-9: what a previous process left running is interrupted, said so, never resumed blind.
  for (const p of await store.runningPushes()) {
    const out = interrupted(p, opts.now());
    await store.savePush(out);
    app.log.warn({ pushId: out.id, clusterId: out.clusterId }, out.summary);
  }
  const service = new PushService({
    app,
    live,
    store,
    now: opts.now,
    ...(opts.pushTuning && { tuning: opts.pushTuning }),
  });
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
