import fp from 'fastify-plugin';
import { MaintenanceStore } from './maintenance-store';

declare module 'fastify' {
  interface FastifyInstance {
    maintenance: MaintenanceStore;
  }
}

/**
 * `app.maintenance`: the windows store, and the hold it puts on alerts (AlertService.held):
 * registered after the alerts plugin. Windows that start or end later need no timer: alerts
 * are evaluated every second and `holds()` compares with the clock.
 */
export default fp<{ now: () => number }>(
  (app, opts, done) => {
    const store = new MaintenanceStore(app.db);
    store.refresh(opts.now());
    app.decorate('maintenance', store);
    app.alerts.held = (cluster, nodes) => store.holds(cluster, nodes, opts.now());
    done();
  },
  { name: 'maintenance', dependencies: ['db', 'alerts'], fastify: '5.x' },
);
