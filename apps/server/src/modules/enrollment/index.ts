import type { FastifyPluginCallback } from 'fastify';
import {
  AgentIdParams,
  AgentsResponse,
  ApiError,
  EnrollRequest,
  EnrollResponse,
  EnrollmentTokenCreate,
  EnrollmentTokenCreated,
  EnrollmentTokenIdParams,
  EnrollmentTokenList,
  OkResponse,
} from '@keepwatch/shared';
import { listAgents } from './agents-list';
import { EnrollLimits, type EnrollLimitsTuning } from './enroll-limits';
import { describeBinding } from './node-binding';

const REFUSAL: Record<'unknown' | 'expired' | 'used' | 'revoked', string> = {
  unknown: 'unknown enrollment token',
  expired: 'enrollment token expired: create a new one in the panel',
  used: 'enrollment token already used (tokens are single-use)',
  revoked: 'enrollment token revoked',
};

export interface EnrollmentModuleOptions {
  now?: () => number;
  /** Test override of ENROLL_LIMITS (enroll-limits.ts). */
  limits?: EnrollLimitsTuning;
}

/** Enrollment tokens, the enroll exchange, the agents list and revocation. */
const enrollmentModule: FastifyPluginCallback<EnrollmentModuleOptions> = (app, opts, done) => {
  const creds = app.agentCredentials;
  const limits = new EnrollLimits(opts.now ?? Date.now, opts.limits);
  // Only admins manage agents (the auth plugin's role guard); enroll is public below.
  const admin = { config: { role: 'admin' as const } };
  // 401 without a login, 403 below admin, 400 on a bad body or id.
  const denied = { 401: ApiError, 403: ApiError };
  const invalid = { 400: ApiError, ...denied };

  app.post<{ Body: EnrollmentTokenCreate }>(
    '/agents/enrollment-tokens',
    {
      ...admin,
      schema: {
        tags: ['agents'],
        summary: 'Create a one-time enrollment token',
        body: EnrollmentTokenCreate,
        response: { 200: EnrollmentTokenCreated, ...invalid },
      },
    },
    async (request) => {
      const created = await creds.store.createToken({
        ...request.body,
        createdBy: request.user?.username ?? 'unknown',
      });
      app.audit.fromRequest(request, {
        action: 'agent.enrollment-token.create',
        target: created.id,
        detail: { expiresAt: created.expiresAt },
      });
      return created;
    },
  );

  app.get(
    '/agents/enrollment-tokens',
    {
      ...admin,
      schema: {
        tags: ['agents'],
        summary: 'Enrollment tokens (never their secrets)',
        response: { 200: EnrollmentTokenList, ...denied },
      },
    },
    async () => ({ tokens: await creds.store.listTokens() }),
  );

  app.delete<{ Params: EnrollmentTokenIdParams }>(
    '/agents/enrollment-tokens/:id',
    {
      ...admin,
      schema: {
        tags: ['agents'],
        summary: 'Revoke an enrollment token',
        params: EnrollmentTokenIdParams,
        response: { 200: OkResponse, ...invalid, 404: ApiError },
      },
    },
    async (request, reply) => {
      if (!(await creds.store.revokeToken(request.params.id))) {
        return reply
          .code(404)
          .send({ error: 'not_found', message: 'no such enrollment token (or already revoked)' });
      }
      app.audit.fromRequest(request, {
        action: 'agent.enrollment-token.revoke',
        target: request.params.id,
      });
      return { ok: true };
    },
  );

  app.post<{ Body: EnrollRequest }>(
    '/agents/enroll',
    {
      // The enrollment token is the credential here: no session.
      config: { public: true },
      schema: {
        tags: ['agents'],
        summary:
          'Exchange an enrollment token for an agent credential bound to one node (name, cluster, role)',
        body: EnrollRequest,
        response: {
          200: EnrollResponse,
          400: ApiError,
          401: ApiError,
          409: ApiError,
          429: ApiError,
        },
      },
    },
    async (request, reply) => {
      const { token, hostname, name, clusterId, role } = request.body;
      const wait = limits.blockedFor(request.ip);
      if (wait > 0) {
        return reply
          .code(429)
          .header('retry-after', String(wait))
          .send({
            error: 'too_many_attempts',
            message: `too many refused enrollments from this address: try again in ${wait} s`,
          });
      }
      const r = await creds.store.enroll({
        token,
        hostname,
        ...(name && { name }),
        ...(clusterId && { clusterId }),
        ...(role && { role }),
      });
      if (!r.ok) {
        limits.refused(request.ip);
        const slot = limits.auditSlot();
        if (slot === 'row') {
          app.audit.fromRequest(request, {
            action: 'agent.enroll',
            result: 'denied',
            detail: {
              reason: r.reason,
              hostname,
              ...(r.reason === 'node_taken' && { holder: r.holder, node: r.binding }),
            },
          });
        } else if (slot === 'last') {
          app.audit.fromRequest(request, {
            action: 'agent.enroll',
            result: 'denied',
            detail: {
              reason: 'audit_budget',
              message: `${limits.tuning.audit.max} refused enrollments in this window: the rest until ${new Date(limits.auditWindowEnd).toISOString()} are not recorded one by one`,
            },
          });
        }
        if (r.reason === 'node_taken') {
          // ID-2: replacing a node is the admin's decision (revoke), never an enrollee's.
          return reply.code(409).send({
            error: 'node_taken',
            message: `node ${describeBinding(r.binding)} is already enrolled as agent ${r.holder}: revoke that agent first to replace it (the token was not used)`,
          });
        }
        return reply.code(401).send({ error: 'enrollment_refused', message: REFUSAL[r.reason] });
      }
      app.audit.fromRequest(request, {
        action: 'agent.enroll',
        actor: `agent:${r.agentId}`,
        target: r.agentId,
        detail: { hostname, node: r.binding },
      });
      return { agentId: r.agentId, credential: r.credential };
    },
  );

  app.get(
    '/agents',
    {
      ...admin,
      schema: {
        tags: ['agents'],
        summary: 'Every known agent: version, host, last seen, online, revoked',
        response: { 200: AgentsResponse, ...denied },
      },
    },
    async () => ({ agents: await listAgents(app.repos.ingest, creds, app.agentSocket.registry) }),
  );

  app.post<{ Params: AgentIdParams }>(
    '/agents/:id/revoke',
    {
      ...admin,
      schema: {
        tags: ['agents'],
        summary: 'Revoke an agent: its socket closes (4401) and its credential never works again',
        params: AgentIdParams,
        response: { 200: OkResponse, ...invalid },
      },
    },
    async (request) => {
      const changed = await creds.revoke(request.params.id);
      app.audit.fromRequest(request, {
        action: 'agent.revoke',
        target: request.params.id,
        detail: { changed },
      });
      return { ok: true };
    },
  );
  done();
};

export default enrollmentModule;
