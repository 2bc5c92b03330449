import type { FastifyPluginCallback } from 'fastify';
import { CloseCode, DEFAULT_THRESHOLDS } from '@keepwatch/shared';
import { AgentConnection } from './agent-connection';
import { AgentIngest } from './agent-ingest';
import { AgentRegistry } from './agent-registry';
import { IngestHooks } from './ingest-hooks';
import { DEFAULT_BUDGET, IngestBudget, type BudgetLimits } from './ingest-budget';

export interface AgentsModuleOptions {
  agentToken: string;
  now: () => number;
  /** Per-agent frame/byte budget (ingest-budget.ts); defaults DEFAULT_BUDGET. */
  budget?: Partial<BudgetLimits>;
  /** Agent times later than receive time + this are clamped (inbound-limits.ts IL-4). */
  clockSkewMs?: number;
}

/** The agent socket (/agent/ws): hello/welcome, sequenced data with acks, ping/pong clock. */
const agentsModule: FastifyPluginCallback<AgentsModuleOptions> = (app, opts, done) => {
  // The one registry of who is online and the ingest hooks (agent-socket-plugin.ts); minimal
  // test apps get their own, with no hooks (the bus still fans out).
  const { registry, hooks, committed } = app.hasDecorator('agentSocket')
    ? app.agentSocket
    : {
        registry: new AgentRegistry(),
        hooks: new IngestHooks(app.bus),
        committed: new Set<(agentId: string, seq: number) => void>(),
      };
  const ingest = new AgentIngest(app.repos.ingest, app.writer, (agentId, seq) => {
    for (const fn of committed) fn(agentId, seq);
  });
  const budget = new IngestBudget(
    opts.now,
    { ...DEFAULT_BUDGET, ...opts.budget },
    100_000,
    (agentId) => registry.isOnline(agentId),
  );
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
        budget,
        clockSkewMs: opts.clockSkewMs ?? DEFAULT_THRESHOLDS.clockSkewMs,
        bus: app.bus,
        hooks,
        registry,
        now: opts.now,
        log: request.log,
      }).start();
    },
  );
  done();
};

export default agentsModule;
