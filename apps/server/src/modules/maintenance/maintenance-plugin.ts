import fp from 'fastify-plugin';
import { MaintenanceClock } from './maintenance-clock';
import { MaintenanceStore } from './maintenance-store';

declare module 'fastify' {
  interface FastifyInstance {
    maintenance: MaintenanceStore;
  }
}

/**
 * `app.maintenance`: the windows store, and the hold it puts on alerts (AlertService.held):
 * registered after the alerts plugin. Alerts need no timer for windows that start or end
 * later (they are evaluated every second and `holds()` compares with the clock); the live
 * feed does: `maintenance.changed` is emitted on create, end, start and expiry (MaintenanceClock).
 */
export default fp<{ now: () => number }>(
  async (app, opts) => {
    const store = new MaintenanceStore(app.repos.maintenance);
    await store.load(opts.now());
    app.decorate('maintenance', store);
    app.alerts.held = (cluster, nodes) => store.holds(cluster, nodes, opts.now());
    app.alerts.heldClusters = () => store.active(opts.now()).map((w) => w.clusterId);
    const clock = new MaintenanceClock(store, opts.now, (at) =>
      app.bus.emit('maintenance.changed', { at }),
    );
    store.onChanged = () => clock.changed();
    app.addHook('onClose', (_app, next) => {
      clock.close();
      next();
    });
  },
  { name: 'maintenance', dependencies: ['db', 'alerts', 'event-bus'], fastify: '5.x' },
);
