import type { FastifyPluginCallback } from 'fastify';
import { ChangesetStore } from './changeset-store';
import { draftRoutes } from './draft-routes';
import { LiveFileStore, observationsOf } from './live-files';
import { neighboursOf } from './neighbours';
import type { PushTuning } from './push-runner';
import { pushRoutes } from './push-routes';
import { PushService } from './push-service';
import { PushStore } from './push-store';
import type { ConfigRouteContext } from './route-context';
import { versionRoutes } from './version-routes';

/*
 * Configuration management, server side (README.md): live files, analysis of a draft,
 * versions, drift, and the push rollout. REST shapes: packages/shared protocol/config-api.ts.
 * Routes by meaning: draft-routes.ts (read, analyse, render, drift), version-routes.ts
 * (changesets, diff, roll back), push-routes.ts (push, pushes).
 */

export interface ConfigModuleOptions {
  now: () => number;
  /** Rollout timings (tests shorten them); see push-runner.ts. */
  pushTuning?: Partial<PushTuning>;
}

const configModule: FastifyPluginCallback<ConfigModuleOptions> = (app, opts, done) => {
  const live = new LiveFileStore(app.db);
  const changesets = new ChangesetStore(app.db);
  const pushes = new PushStore(app.db);
  // PU-9: what a previous process left running is interrupted, said so, never resumed blind.
  for (const p of pushes.interruptRunning(opts.now()))
    app.log.warn({ pushId: p.id, clusterId: p.clusterId }, p.summary);
  const service = new PushService({
    app,
    live,
    changesets,
    pushes,
    now: opts.now,
    ...(opts.pushTuning && { tuning: opts.pushTuning }),
  });
  const off = app.bus.on('agent.data', (e) => {
    for (const obs of observationsOf(e.message)) live.observe(e.agentId, obs);
  });
  const offOnline = app.bus.on('agent.online', (e) =>
    live.identify(e.agentId, e.hello.node.cluster.id, e.hello.node.name),
  );
  app.addHook('onClose', (_app, next) => {
    off();
    offOnline();
    service.close();
    next();
  });

  const ctx: ConfigRouteContext = {
    live,
    changesets,
    pushes,
    service,
    known: (id) => app.clusterStore.hasCluster(id) || live.list(id).length > 0,
    neighbours: (id) => neighboursOf(live, id),
  };
  draftRoutes(app, ctx);
  versionRoutes(app, ctx);
  pushRoutes(app, ctx);
  done();
};

export default configModule;
