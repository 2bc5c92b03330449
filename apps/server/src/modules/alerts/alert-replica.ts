import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ChangeFeed } from '../../storage/change-feed';
import { LeaseKeeper } from '../../storage/lease-keeper';
import type { AlertService } from './alert-service';

/*
 * SPEC AL-10: the alerts of server replicas (every server on PostgreSQL; app.ts passes the
 * replica). The replica holding the `alert-evaluation` lease evaluates (AL-9); after each of
 * its commits it says so on `kw_alerts`, and every other replica reads the alerts again from
 * the table and tells its browsers (`alerts.changed`), so an alert fires once across the
 * replicas and every replica's list shows it. The lease is taken before the first
 * evaluation, renewed every third of its time to live and released on close (another
 * replica takes over at its next renewal instead of after the expiry).
 */

export const ALERT_LEASE = 'alert-evaluation';
export const ALERTS_CHANNEL = 'kw_alerts';

const Notice = Type.Object({ from: Type.String({ minLength: 1, maxLength: 64 }) });

export interface AlertReplicaOptions {
  id: string;
  feed: ChangeFeed;
  /** The lease's time to live (default 9 s, as the replica lease). */
  leaseTtlMs?: number;
}

export interface AlertReplica {
  lease: LeaseKeeper;
  /** Reads the alerts into `service` again at another replica's word (from now on). */
  follow(service: AlertService): void;
  /** The holder's word after a commit (called from the service's onChanged). */
  changed(): void;
  close(): Promise<void>;
}

export async function alertReplica(
  app: FastifyInstance,
  o: AlertReplicaOptions,
  now: () => number,
): Promise<AlertReplica> {
  const ttlMs = o.leaseTtlMs ?? 9_000;
  const lease = new LeaseKeeper({
    repo: app.repos.leases,
    name: ALERT_LEASE,
    holder: o.id,
    ttlMs,
    now,
    onChange: (held) =>
      app.log.info(
        { lease: ALERT_LEASE, replica: o.id },
        held ? 'alert lease held' : 'alert lease lost',
      ),
    onError: (err) => app.storage.failed(err, `lease ${ALERT_LEASE}`),
  });
  await lease.tick();
  const timer = setInterval(
    app.storage.guard('alert lease', async () => {
      await lease.tick();
    }),
    Math.floor(ttlMs / 3),
  );
  timer.unref();
  let off = (): void => undefined;
  return {
    lease,
    follow(service) {
      off = o.feed.subscribe(ALERTS_CHANNEL, (message) => {
        if (!Value.Check(Notice, message)) {
          app.log.warn({ channel: ALERTS_CHANNEL, message }, 'alerts notice refused: not { from }');
          return;
        }
        if (message.from === o.id || lease.held()) return;
        service.reload().then(
          () => app.bus.emit('alerts.changed', { at: now() }),
          (err: unknown) => app.storage.failed(err, 'alerts reload'),
        );
      });
    },
    changed() {
      o.feed
        .publish(ALERTS_CHANNEL, { from: o.id })
        .catch((err: unknown) => app.log.error({ err }, 'alerts notice not sent'));
    },
    async close() {
      clearInterval(timer);
      off();
      await lease.release().catch(() => undefined);
    },
  };
}
