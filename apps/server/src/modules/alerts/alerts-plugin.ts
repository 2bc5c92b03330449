import fp from 'fastify-plugin';
import {
  AlertService,
  DEFAULT_TUNING,
  type AlertTuning,
  type EvaluationLease,
} from './alert-service';
import { alertReplica, type AlertReplicaOptions } from './alert-replica';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertService;
  }
}

export interface AlertsPluginOptions {
  now: () => number;
  tuning?: Partial<AlertTuning>;
  /** How often alerts are re-evaluated without a status change, and due deliveries retried. */
  tickMs?: number;
  /** The alert-evaluation lease across replicas (SPEC AL-9); none: this server evaluates. */
  lease?: EvaluationLease;
  /**
   * Server replicas (app.ts: every server on PostgreSQL): the plugin holds the
   * alert-evaluation lease itself and shares each change (SPEC AL-10, alert-replica.ts).
   */
  replica?: AlertReplicaOptions;
}

/**
 * Alerts: evaluated on every status change and on a timer (time-based findings, hold periods,
 * retries); the delivery queue is in the database (app.repos.alertQueue) so pending
 * notifications survive a restart, and a delivery is claimed before it is sent.
 */
export default fp<AlertsPluginOptions>(
  async (app, opts) => {
    const tuning: AlertTuning = { ...DEFAULT_TUNING, ...opts.tuning };
    const replica = opts.replica && (await alertReplica(app, opts.replica, opts.now));
    const service = await AlertService.open(
      app.repos,
      app.clusterStore,
      opts.now,
      tuning,
      app.log,
      opts.lease ?? replica?.lease,
    );
    replica?.follow(service);
    service.onChanged = () => {
      app.bus.emit('alerts.changed', { at: opts.now() });
      replica?.changed();
    };
    service.onError = (err, what) => app.storage.failed(err, what);
    app.decorate('alerts', service);
    // Coalesced: a replayed outbox changes status hundreds of times in one tick; only the
    // clusters that changed are evaluated (SPEC AL-2).
    const dirty = new Set<string>();
    const off = app.bus.on('status.changed', (e) => {
      if (dirty.size === 0)
        setImmediate(() => {
          const ids = [...dirty];
          dirty.clear();
          service
            .evaluate(ids)
            .catch((err: unknown) => app.storage.failed(err, 'alert evaluation'));
        });
      for (const id of e.clusterIds) dirty.add(id);
    });
    const timer = setInterval(
      app.storage.guard('alert tick', () => {
        service
          .tick()
          .catch((err: unknown) => app.storage.failed(err, 'alert evaluation'))
          .finally(() => service.kick());
      }),
      opts.tickMs ?? 1000,
    );
    timer.unref();
    // Deliveries left pending by the previous run go out now, not at the first tick.
    app.addHook('onReady', (next) => {
      service.kick();
      next();
    });
    app.addHook('onClose', async () => {
      off();
      clearInterval(timer);
      await service.idle();
      await replica?.close();
    });
  },
  { name: 'alerts', dependencies: ['db', 'event-bus', 'cluster-store'], fastify: '5.x' },
);
