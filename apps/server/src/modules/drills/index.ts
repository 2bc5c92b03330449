import fp from 'fastify-plugin';
import { drillRoutes } from './drill-routes';
import { ScheduleStore } from './drill-schedule';
import { DrillScheduler, isBad, scheduleOptions } from './drill-scheduler';
import { DrillService, type DrillServiceOptions } from './drill-service';
import { scheduleRoutes } from './schedule-routes';

export { DrillService } from './drill-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** Failover drills (SPEC.md in this folder): start, abort, history, proof. */
    drills: DrillService;
    drillScheduler: DrillScheduler;
  }
}

export type DrillsModuleOptions = DrillServiceOptions;

/**
 * Decorates `app.drills` and serves /api/v1/drills. On start, drills a previous process left
 * running are marked interrupted (SPEC.md RS-1): their faults are undone by the agents'
 * own deadlines. Schedules run here too (SC-*), their results and failures going through the
 * alert channels.
 */
export default fp<DrillsModuleOptions>(
  async (app, opts) => {
    const service = new DrillService(app, opts);
    service.interruptLeftovers();
    const schedules = new ScheduleStore(app.db, opts.now);
    const scheduler = new DrillScheduler({
      now: opts.now,
      store: schedules,
      start: (s) =>
        service.start(s.clusterId, s.kind, scheduleOptions(s), `schedule:${s.id}`, s.id),
      announce: (s, result, detail) =>
        app.alerts.announce({
          event: 'drill',
          alert: {
            key: `drill-schedule:${s.id}`,
            rule: isBad(result) ? 'DRILL_FAILED' : 'DRILL_PASSED',
            severity: isBad(result) ? 'critical' : 'info',
            cluster: s.clusterId,
            message: `scheduled ${s.kind} drill (schedule ${s.id}): ${result}. ${detail}`,
            firingAt: opts.now(),
          },
          at: opts.now(),
        }),
      alertsChanged: () =>
        void app.alerts
          .evaluate()
          .catch((err: unknown) => app.storage.failed(err, 'alert evaluation')),
    });
    // SC-4: a schedule whose last run went wrong keeps an alert firing.
    app.alerts.extraObserved = () =>
      schedules
        .list()
        .filter((s) => s.enabled && isBad(s.lastResult))
        .map((s) => ({
          key: `drill-schedule:${s.id}`,
          rule: 'DRILL_FAILED',
          severity: 'critical',
          cluster: s.clusterId,
          message: `the scheduled ${s.kind} drill (schedule ${s.id}) ${s.lastResult}${s.lastDrillId ? ` (drill ${s.lastDrillId})` : ''}`,
        }));
    const offEnded = service.onEnded((e) => {
      const d = service.get(e.id);
      const r = d?.report;
      scheduler.ended(
        e,
        r
          ? `downtime ${Math.round(r.downtimeMs)} ms, ${r.failedRequests}/${r.totalRequests} requests failed, new MASTER ${r.newMaster ?? 'none'} (drill ${e.id})${d.error ? `: ${d.error}` : ''}`
          : `drill ${e.id}`,
      );
    });
    app.decorate('drills', service);
    app.decorate('drillScheduler', scheduler);
    app.addHook('onReady', (done) => {
      scheduler.tick();
      done();
    });
    app.addHook('onClose', (_app, next) => {
      offEnded();
      scheduler.close();
      service.close();
      next();
    });
    await app.register(drillRoutes, { prefix: '/api/v1', drills: service });
    await app.register(scheduleRoutes, { prefix: '/api/v1', schedules, scheduler });
  },
  {
    name: 'drills',
    fastify: '5.x',
    dependencies: ['db', 'event-bus', 'actions', 'cluster-ops', 'audit', 'cluster-store', 'alerts'],
  },
);
