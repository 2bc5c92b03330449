import fp from 'fastify-plugin';
import { ActionDispatcher } from './action-dispatcher';

export { ActionDispatcher, ActionError, type ActionParams } from './action-dispatcher';
export { ActionRouting, ACTIONS_CHANNEL, ActionNotice } from './action-routing';

declare module 'fastify' {
  interface FastifyInstance {
    /** Server -> agent actions: `app.actions.request(agentId, action, params, { timeoutMs })`. */
    actions: ActionDispatcher;
  }
}

/**
 * Decorates `app.actions`. The agents module binds the transport (it owns the sockets);
 * results and disconnects arrive on the event bus.
 */
export default fp(
  (app, _opts, done) => {
    const dispatcher = new ActionDispatcher();
    app.decorate('actions', dispatcher);
    const offData = app.bus.on('agent.data', (e) => {
      if (e.message.type === 'action.result') dispatcher.onResult(e.agentId, e.message);
    });
    // RA-1: the result of a request routed to another replica, read from the store there.
    const offFollowed = app.bus.on('agent.followed', (e) => {
      if (e.message.type === 'action.result') dispatcher.onResult(e.agentId, e.message);
    });
    const offOffline = app.bus.on('agent.offline', (e) => dispatcher.onOffline(e.agentId));
    app.addHook('onClose', (_app, next) => {
      offData();
      offFollowed();
      offOffline();
      dispatcher.close();
      next();
    });
    done();
  },
  { name: 'actions', fastify: '5.x', dependencies: ['event-bus'] },
);
