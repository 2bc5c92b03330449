import type { FastifyPluginCallback } from 'fastify';
import { CloseCode } from '@keepwatch/shared';
import { requestToken } from '../../plugins/auth';
import { LiveHub } from './live-hub';

/** Browser live feed (/live): hello, snapshot, then patches. Same credentials as REST. */
const liveModule: FastifyPluginCallback = (app, _opts, done) => {
  const hub = new LiveHub(app.clusterStore);
  const off = app.bus.on('status.changed', (e) => hub.changed(e.clusterIds));
  app.addHook('onClose', (_app, next) => {
    off();
    hub.close();
    next();
  });

  app.get(
    '/live',
    {
      websocket: true,
      // Browsers cannot set headers on a WebSocket: the handler checks cookie/?token itself
      // so it can answer with a close code the client understands.
      config: { public: true },
      schema: { tags: ['live'], summary: 'Live status feed (protocol in packages/shared live-messages.ts)' },
    },
    (socket, request) => {
      socket.on('error', (err) => request.log.warn({ err }, 'live socket error'));
      socket.on('message', () => {
        // Browsers only listen; anything they send is ignored.
      });
      const user = app.auth.resolveToken(requestToken(request, true));
      if (!user) {
        socket.close(CloseCode.unauthorized, 'login required');
        return;
      }
      hub.add(socket);
    },
  );
  done();
};

export default liveModule;
