import fp from 'fastify-plugin';
import { AgentRegistry } from './agent-registry';
import { IngestHooks } from './ingest-hooks';

/** What the agent socket shares with the rest of the server (SPEC.md). */
export interface AgentSocket {
  /** The one registry of who is online (OR-*): read it, never keep an online set of your own. */
  registry: AgentRegistry;
  /**
   * The declared ingest order (IH-*): `hooks.add(stage, hook)` for a module whose correctness
   * depends on when it sees a message; loose listeners stay on the bus (agent.*), after them.
   */
  hooks: IngestHooks;
  /**
   * Told once an agent's data message is committed (when it is acked): the replicas' shared
   * live state says so to the others (modules/status/replica-announcer.ts). Empty on one server.
   */
  committed: Set<(agentId: string, seq: number) => void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    agentSocket: AgentSocket;
  }
}

/**
 * The agent socket's shared state, decorated at the root before the modules that read it
 * (enrollment's agents list, revoke) or hook into it (status, history); the socket route
 * itself is modules/agents/index.ts.
 */
export default fp(
  (app, _opts, done) => {
    const hooks = new IngestHooks(app.bus, (err, event) =>
      app.log.error({ err, event }, 'a bus listener of an agent event failed'),
    );
    const committed: AgentSocket['committed'] = new Set();
    app.decorate('agentSocket', { registry: new AgentRegistry(), hooks, committed });
    done();
  },
  { name: 'agent-socket', dependencies: ['event-bus'], fastify: '5.x' },
);
