import fp from 'fastify-plugin';
import { AgentRegistry } from './agent-registry';

/** What the agent socket shares with the rest of the server (SPEC.md). */
export interface AgentSocket {
  /** The one registry of who is online (OR-*): read it, never keep an online set of your own. */
  registry: AgentRegistry;
}

declare module 'fastify' {
  interface FastifyInstance {
    agentSocket: AgentSocket;
  }
}

/**
 * The agent socket's shared state, decorated at the root before the modules that read it
 * (enrollment's agents list, revoke); the socket route itself is modules/agents/index.ts.
 */
export default fp(
  (app, _opts, done) => {
    app.decorate('agentSocket', { registry: new AgentRegistry() });
    done();
  },
  { name: 'agent-socket', dependencies: ['event-bus'], fastify: '5.x' },
);
