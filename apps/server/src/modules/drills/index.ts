import fp from 'fastify-plugin';
import { drillRoutes } from './drill-routes';
import { DrillService, type DrillServiceOptions } from './drill-service';

export { DrillService } from './drill-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** Failover drills (SPEC.md in this folder): start, abort, history, proof. */
    drills: DrillService;
  }
}

export type DrillsModuleOptions = DrillServiceOptions;

/**
 * Decorates `app.drills` and serves /api/v1/drills. On start, drills a previous process left
 * running are marked interrupted (SPEC.md RS-1): their faults are undone by the agents'
 * own deadlines.
 */
export default fp<DrillsModuleOptions>(
  async (app, opts) => {
    const service = new DrillService(app, opts);
    service.interruptLeftovers();
    app.decorate('drills', service);
    app.addHook('onClose', (_app, next) => {
      service.close();
      next();
    });
    await app.register(drillRoutes, { prefix: '/api/v1', drills: service });
  },
  {
    name: 'drills',
    fastify: '5.x',
    dependencies: ['db', 'event-bus', 'actions', 'cluster-ops', 'audit', 'cluster-store'],
  },
);
