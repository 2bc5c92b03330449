import fp from 'fastify-plugin';
import { LogRelay } from './log-relay';

export { LogRelay, type RelayClient } from './log-relay';

declare module 'fastify' {
  interface FastifyInstance {
    /** Agents' log streams relayed to live-feed browsers on demand (modules/live feeds it). */
    logRelay: LogRelay;
  }
}

/** Wires the relay to the agent sockets (via app.actions) and the bus. */
export default fp<{ now: () => number }>(
  (app, opts, done) => {
    const relay = new LogRelay({
      agentFor: (cluster, node) => app.clusterStore.agentFor(cluster, node),
      sendToAgent: (agentId, msg) => app.actions.send(agentId, msg),
      now: opts.now,
    });
    const offs = [
      app.bus.on('agent.logs', (e) => relay.lines(e.agentId, e.message)),
      app.bus.on('agent.online', (e) =>
        relay.online(e.agentId, e.hello.node.cluster.id, e.hello.node.name),
      ),
      app.bus.on('agent.offline', (e) => relay.offline(e.agentId)),
    ];
    app.decorate('logRelay', relay);
    app.addHook('onClose', (_app, next) => {
      for (const off of offs) off();
      next();
    });
    done();
  },
  { name: 'log-relay', dependencies: ['event-bus', 'actions', 'cluster-store'], fastify: '5.x' },
);
