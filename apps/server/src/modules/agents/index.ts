import type { FastifyPluginCallback } from 'fastify';
import { CloseCode } from '@keepwatch/shared';
import { AgentConnection } from './agent-connection';
import { AgentIngest } from './agent-ingest';
import { AgentRegistry } from './agent-registry';

export interface AgentsModuleOptions {
  agentToken: string;
  now: () => number;
}

/** The agent socket (/agent/ws): hello/welcome, sequenced data with acks, ping/pong clock. */
const agentsModule: FastifyPluginCallback<AgentsModuleOptions> = (app, opts, done) => {
  const ingest = new AgentIngest(app.db, app.writer);
  const registry = new AgentRegistry();
  // Set by modules/enrollment (agent-credentials plugin); absent in minimal test apps.
  const creds = app.hasDecorator('agentCredentials') ? app.agentCredentials : undefined;
  creds?.onRevoked((agentId) =>
    registry.closeAgent(agentId, CloseCode.unauthorized, 'agent credential revoked'),
  );
  // modules/actions (absent in minimal test apps) sends its requests through our sockets.
  if (app.hasDecorator('actions'))
    app.actions.bindTransport((agentId, msg) => registry.send(agentId, msg));

  app.get(
    '/agent/ws',
    {
      websocket: true,
      // The access guard checks the agent credential on the upgrade (plugins/auth.ts).
      config: { agent: true },
      schema: {
        tags: ['agents'],
        summary: 'Agent WebSocket (protocol in packages/shared agent-messages.ts)',
      },
    },
    (socket, request) => {
      const upgrade = request.agentUpgrade;
      new AgentConnection(socket, {
        agentToken: opts.agentToken,
        ...(creds && { admit: (hello) => creds.admit(hello) }),
        // The hello is checked again and must be the agent the upgrade proved to be.
        ...(upgrade && { upgrade }),
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
