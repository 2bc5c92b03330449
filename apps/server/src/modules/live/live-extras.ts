import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { liveFromBrowserCodec, type LiveAlerts, type LiveMaintenance } from '@keepwatch/shared';
import type { RelayClient } from '../log-relay/index';

/** How many resolved alerts the live feed carries (the alerts page shows these). */
export const LIVE_RECENT_ALERTS = 50;

/** The alert lists as one live message (sent on join and whenever an alert changes). */
export function alertsMessage(app: FastifyInstance): LiveAlerts {
  const { active, recent } = app.alerts.list(LIVE_RECENT_ALERTS);
  return { type: 'alerts', at: Date.now(), active, recent };
}

/** Every open and upcoming maintenance window (sent on join and whenever one changes). */
export function maintenanceMessage(app: FastifyInstance, at: number): LiveMaintenance {
  return { type: 'maintenance', at, active: app.maintenance.active(at) };
}

/**
 * What a browser may send on its live socket: log subscriptions, decoded with the shared
 * codec. A frame that does not decode is logged and ignored (the feed itself stays up).
 */
export function browserInbox(
  app: FastifyInstance,
  socket: WebSocket,
  log: FastifyBaseLogger,
): { onMessage: (raw: RawData) => void; onClose: () => void; authorize: () => void } {
  let authorized = false;
  const relay = app.hasDecorator('logRelay') ? app.logRelay : undefined;
  const client: RelayClient = {
    send: (msg) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
    },
    buffered: () => socket.bufferedAmount,
  };
  return {
    authorize: () => {
      authorized = true;
    },
    onMessage: (raw) => {
      if (!authorized || socket.readyState !== socket.OPEN) return;
      const decoded = liveFromBrowserCodec.decode(raw);
      if (!decoded.ok) {
        log.debug({ reason: decoded.error }, 'ignored a live frame from a browser');
        return;
      }
      const msg = decoded.value;
      if (!relay) return;
      if (msg.type === 'logs.subscribe') relay.subscribe(client, msg);
      else relay.unsubscribe(client, msg.subscription);
    },
    onClose: () => relay?.drop(client),
  };
}
