import type { FastifyPluginCallback } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode } from '@keepwatch/shared';
import { requestToken } from '../../plugins/auth';
import { coalesce } from './coalesce';
import { LiveHub } from './live-hub';
import { alertsMessage, browserInbox, maintenanceMessage } from './live-extras';

/** Alert lists go to browsers at most this often (the first change of a quiet spell at once). */
export const ALERTS_WINDOW_MS = 250;

/** How soon an open live feed notices that its session ended. */
export const LIVE_RECHECK_MS = 2_000;

/** Browser live feed (/live): hello, snapshot, then patches. Same credentials as REST. */
const liveModule: FastifyPluginCallback<{ now?: () => number }> = (app, opts, done) => {
  const now = opts.now ?? Date.now;
  const hub = new LiveHub(app.clusterStore, {
    onJoin: () => [alertsMessage(app), maintenanceMessage(app, now())],
  });
  app.serverMetrics.gauge(
    'keepwatch_live_subscribers',
    'Browsers connected to the live status feed.',
    () => hub.clientCount,
  );
  const off = app.bus.on('status.changed', (e) => hub.changed(e.clusterIds));
  // Rebuilt whole (every open alert) and only for browsers that are there: at most one per window.
  const alertsFeed = coalesce(() => {
    if (hub.clientCount > 0) hub.sendAll(alertsMessage(app));
  }, ALERTS_WINDOW_MS);
  const offAlerts = app.bus.on('alerts.changed', alertsFeed);
  const offDrills = app.bus.on('drill.live', (e) => hub.sendAll(e.message));
  const offPushes = app.bus.on('push.live', (e) => hub.sendAll(e.message));
  const offMaintenance = app.bus.on('maintenance.changed', (e) =>
    hub.sendAll(maintenanceMessage(app, e.at)),
  );
  // The credential is checked at connect; a feed must also end when its session does
  // (logout, password change, user disabled, token revoked), so re-check them all.
  const credentials = new Map<WebSocket, string | undefined>();
  // A timer callback that throws takes the process down: a database error (disk full, locked,
  // I/O) must cost one re-check, not the server (storage.guard reports it; the next tick retries).
  const recheck = setInterval(
    app.storage.guard('live feed: session re-check', async () => {
      for (const [socket, token] of credentials) {
        if (!(await app.auth.resolveToken(token)))
          socket.close(CloseCode.unauthorized, 'session ended');
      }
    }),
    LIVE_RECHECK_MS,
  );
  recheck.unref();
  app.addHook('onClose', (_app, next) => {
    clearInterval(recheck);
    off();
    offAlerts();
    alertsFeed.cancel();
    offDrills();
    offPushes();
    offMaintenance();
    hub.close();
    next();
  });

  app.get(
    '/live',
    {
      websocket: true,
      // Checked on the upgrade by the access guard; browsers cannot set headers on a
      // WebSocket, so besides the cookie a `?token=` counts.
      config: { tokenInQuery: true },
      schema: {
        tags: ['live'],
        summary: 'Live status feed (protocol in packages/shared live-messages.ts)',
      },
    },
    (socket, request) => {
      socket.on('error', (err) => request.log.warn({ err }, 'live socket error'));
      // Attached before anything async: log subscriptions (the only thing browsers send).
      const inbox = browserInbox(app, socket, request.log);
      socket.on('message', inbox.onMessage);
      socket.on('close', inbox.onClose);
      const token = requestToken(request, true);
      // The upgrade passed the guard; the feed starts once the credential resolves again.
      app.auth.resolveToken(token).then(
        (user) => {
          if (socket.readyState !== socket.OPEN) return;
          if (!user) {
            socket.close(CloseCode.unauthorized, 'login required');
            return;
          }
          credentials.set(socket, token);
          inbox.authorize();
          socket.on('close', () => credentials.delete(socket));
          hub.add(socket);
        },
        (err: unknown) => {
          app.storage.failed(err, 'live feed: session check');
          socket.close(1011, 'storage error');
        },
      );
    },
  );
  done();
};

export default liveModule;
