import fp from 'fastify-plugin';
import { drillRoutes } from './drill-routes';
import { ScheduleStore } from './drill-schedule';
import { leaseReplica } from './drill-replica';
import { replicaLeases } from './drill-leases';
import { DrillScheduler, isBad, scheduleOptions } from './drill-scheduler';
import { DrillService, type DrillEnded, type DrillServiceOptions } from './drill-service';
import { scheduleRoutes } from './schedule-routes';

export { DrillService } from './drill-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** Failover drills (SPEC.md in this folder): start, abort, history, proof. */
    drills: DrillService;
    drillScheduler: DrillScheduler;
  }
}

export type DrillsModuleOptions = Omit<DrillServiceOptions, 'replica'> & {
  /** One of several server replicas on one database (drill-replica.ts, RS-3, SC-5). */
  replica?: {
    id: string;
    leaseTtlMs?: number;
    /** The server's replica wiring holds `replica:<id>` already (app.ts). */
    livenessKept?: boolean;
  };
};

/** With replicas the schedules are read at least this often (one made elsewhere is seen). */
const REPLICA_SCHEDULE_POLL_MS = 30_000;

/**
 * Decorates `app.drills` and serves /api/v1/drills. On start, drills a previous process left
 * running are marked interrupted (SPEC.md RS-1): their faults are undone by the agents'
 * own deadlines. Schedules run here too (SC-*), their results and failures going through the
 * alert channels.
 */
export default fp<DrillsModuleOptions>(
  async (app, opts) => {
    const fail = (err: unknown): void => app.storage.failed(err, 'drill leases');
    const leases =
      opts.replica &&
      replicaLeases(app, opts.replica, opts.now, () => {
        // SC-5/RS-3: the new holder of the scheduler lease sweeps dead owners' drills first.
        void service
          .interruptLeftovers(true)
          .then(() => scheduler.tick())
          .catch(fail);
      });
    // The owner lease is held before this replica starts any drill or judges others'.
    await leases?.owner?.tick();
    const { replica, ...serviceOpts } = opts;
    const service = new DrillService(app, {
      ...serviceOpts,
      ...(replica && { replica: leaseReplica(app.repos.leases, replica.id, opts.now) }),
    });
    await service.interruptLeftovers();
    // RS-5: every replica sweeps dead owners' drills at each renewal of its replica lease.
    const offSweep = app.replica?.sweep(() => service.interruptLeftovers(true));
    const schedules = new ScheduleStore(app.repos.drillSchedules, opts.now);
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
      onError: (err) => app.storage.failed(err, 'drill schedules'),
      ...(leases && { lease: leases.scheduler, maxWaitMs: REPLICA_SCHEDULE_POLL_MS }),
    });
    // SC-4: a schedule whose last run went wrong keeps an alert firing.
    app.alerts.extraObserved = () =>
      schedules
        .cached()
        .filter((s) => s.enabled && isBad(s.lastResult))
        .map((s) => ({
          key: `drill-schedule:${s.id}`,
          rule: 'DRILL_FAILED',
          severity: 'critical',
          cluster: s.clusterId,
          message: `the scheduled ${s.kind} drill (schedule ${s.id}) ${s.lastResult}${s.lastDrillId ? ` (drill ${s.lastDrillId})` : ''}`,
        }));
    const ended = async (e: DrillEnded): Promise<void> => {
      const d = await service.get(e.id);
      const r = d?.report;
      await scheduler.ended(
        e,
        r
          ? `downtime ${Math.round(r.downtimeMs)} ms, ${r.failedRequests}/${r.totalRequests} requests failed, new MASTER ${r.newMaster ?? 'none'} (drill ${e.id})${d.error ? `: ${d.error}` : ''}`
          : `drill ${e.id}`,
      );
    };
    const offEnded = service.onEnded(
      (e) => void ended(e).catch((err: unknown) => app.storage.failed(err, 'drill schedules')),
    );
    app.decorate('drills', service);
    app.decorate('drillScheduler', scheduler);
    app.addHook('onReady', async () => {
      // Before the schedules are read: SC-4's alert knows them from the first evaluation.
      await leases?.tick();
      await scheduler.tick();
    });
    app.addHook('onClose', async () => {
      offEnded();
      offSweep?.();
      scheduler.close();
      service.close();
      await leases?.close().catch(fail);
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
