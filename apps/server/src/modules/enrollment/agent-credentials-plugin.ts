import fp from 'fastify-plugin';
import type { AgentHello } from '@keepwatch/shared';
import { admitHello, type HelloVerdict } from './admit-hello';
import { EnrollmentService } from './enrollment-service';
import { verifyAgentCredential, type CredentialVerdict } from './verify-agent-credential';

export interface AgentCredentials {
  /** Tokens and credentials through app.repos.enrollment. */
  store: EnrollmentService;
  /**
   * Is this (agentId, token) allowed to connect at all? The upgrade's check (access guard):
   * the node binding waits for the hello, which names the node (admit).
   */
  verify(agentId: string, token: string): Promise<CredentialVerdict>;
  /** The hello's check: verify() plus the node binding (node-binding.ts ID-1, ID-3, ID-5). */
  admit(hello: Pick<AgentHello, 'agentId' | 'token' | 'node'>): Promise<HelloVerdict>;
  /** Revokes the agent id, then tells every listener (the agent socket closes it at once). */
  revoke(agentId: string): Promise<boolean>;
  onRevoked(listener: (agentId: string) => void): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    agentCredentials: AgentCredentials;
  }
}

export interface AgentCredentialsOptions {
  now: () => number;
  sharedToken: string;
  /** Accept the shared token from agents without an enrolled credential (labs; default off). */
  allowSharedToken: boolean;
}

/** Per-agent credentials (from enrollment) and the shared lab token, behind one verify(). */
export default fp<AgentCredentialsOptions>(
  (app, opts, done) => {
    const store = new EnrollmentService(app.repos.enrollment, opts.now);
    const listeners: Array<(agentId: string) => void> = [];
    const shared = { sharedToken: opts.sharedToken, allowSharedToken: opts.allowSharedToken };
    app.decorate('agentCredentials', {
      store,
      verify: (agentId, token) => verifyAgentCredential({ store, ...shared }, agentId, token),
      admit: (hello) => admitHello({ store, ...shared }, hello),
      revoke: async (agentId) => {
        const changed = await store.revokeAgent(agentId);
        for (const l of listeners) l(agentId);
        return changed;
      },
      onRevoked: (l) => void listeners.push(l),
    });
    done();
  },
  { name: 'agent-credentials', dependencies: ['db'], fastify: '5.x' },
);
