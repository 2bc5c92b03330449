import type { FastifyPluginCallback } from 'fastify';
import { AgentConnection, AgentRegistry } from './agent-connection';
import { AgentIngest } from './agent-ingest';

export interface AgentsModuleOptions {
  agentToken: string;
  now: () => number;
}

/** The agent socket (/agent/ws): hello/welcome, sequenced data with acks, ping/pong clock. */
const agentsModule: FastifyPluginCallback<AgentsModuleOptions> = (app, opts, done) => {
  const ingest = new AgentIngest(app.db, app.writer);
  const registry = new AgentRegistry();

  app.get(
    '/agent/ws',
    {
      websocket: true,
      config: { public: true },
      schema: { tags: ['agents'], summary: 'Agent WebSocket (protocol in packages/shared agent-messages.ts)' },
    },
    (socket, request) => {
      new AgentConnection(socket, {
        agentToken: opts.agentToken,
        ingest,
        bus: app.bus,
        registry,
        now: opts.now,
        log: request.log,
      }).start();
    },
  );
  done();
};

export default agentsModule;
