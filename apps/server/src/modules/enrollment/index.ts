import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, OkResponse } from '@keepwatch/shared';
import { listAgents } from './agents-list';
import {
  AgentsResponse,
  CreateTokenBody,
  CreatedToken,
  EnrollBody,
  EnrollResponse,
  IdParams,
  TokenInfo,
} from './enrollment-schemas';
import { Type, type Static } from '@sinclair/typebox';

const REFUSAL: Record<'unknown' | 'expired' | 'used' | 'revoked', string> = {
  unknown: 'unknown enrollment token',
  expired: 'enrollment token expired: create a new one in the panel',
  used: 'enrollment token already used (tokens are single-use)',
  revoked: 'enrollment token revoked',
};

/*
 * Only admins manage agents. TODO(roles): when app.auth exposes a role guard, use it for
 * POST/GET/DELETE /agents/enrollment-tokens, GET /agents and POST /agents/:id/revoke
 * instead of this local check of the session user's role.
 */
async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.user?.role !== 'admin') {
    await reply.code(403).send({ error: 'forbidden', message: 'only admins manage agents' });
  }
}

/** Enrollment tokens, the enroll exchange, the agents list and revocation. */
const enrollmentModule: FastifyPluginCallback = (app, _opts, done) => {
  const creds = app.agentCredentials;
  const admin = { preHandler: requireAdmin };

  app.post<{ Body: Static<typeof CreateTokenBody> }>(
    '/agents/enrollment-tokens',
    { ...admin, schema: { tags: ['agents'], summary: 'Create a one-time enrollment token', body: CreateTokenBody, response: { 200: CreatedToken, 403: ApiError } } },
    (request) => {
      const created = creds.store.createToken({ ...request.body, createdBy: request.user?.username ?? 'unknown' });
      request.log.info({ audit: 'enrollment-token.create', tokenId: created.id, by: request.user?.username }, 'enrollment token created');
      return created;
    },
  );

  app.get(
    '/agents/enrollment-tokens',
    { ...admin, schema: { tags: ['agents'], summary: 'Enrollment tokens (never their secrets)', response: { 200: Type.Object({ tokens: Type.Array(TokenInfo) }) } } },
    () => ({ tokens: creds.store.listTokens() }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/agents/enrollment-tokens/:id',
    { ...admin, schema: { tags: ['agents'], summary: 'Revoke an enrollment token', params: IdParams, response: { 200: OkResponse, 404: ApiError } } },
    async (request, reply) => {
      if (!creds.store.revokeToken(request.params.id)) {
        return reply.code(404).send({ error: 'not_found', message: 'no such enrollment token (or already revoked)' });
      }
      request.log.info({ audit: 'enrollment-token.revoke', tokenId: request.params.id, by: request.user?.username }, 'enrollment token revoked');
      return { ok: true };
    },
  );

  app.post<{ Body: EnrollBody }>(
    '/agents/enroll',
    {
      // The enrollment token is the credential here: no session.
      config: { public: true },
      schema: { tags: ['agents'], summary: 'Exchange an enrollment token for an agent credential', body: EnrollBody, response: { 200: EnrollResponse, 401: ApiError } },
    },
    async (request, reply) => {
      const { token, hostname, name, clusterId, role } = request.body;
      const r = creds.store.enroll({ token, hostname, ...(name && { name }), ...(clusterId && { clusterId }), ...(role && { role }) });
      if (!r.ok) {
        request.log.warn({ audit: 'agent.enroll-refused', reason: r.reason, hostname, ip: request.ip }, 'enrollment refused');
        return reply.code(401).send({ error: 'enrollment_refused', message: REFUSAL[r.reason] });
      }
      request.log.info({ audit: 'agent.enroll', agentId: r.agentId, hostname, ip: request.ip }, 'agent enrolled');
      return { agentId: r.agentId, credential: r.credential };
    },
  );

  app.get(
    '/agents',
    { ...admin, schema: { tags: ['agents'], summary: 'Every known agent: version, host, last seen, online, revoked', response: { 200: AgentsResponse } } },
    () => ({ agents: listAgents(app.db, creds) }),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/agents/:id/revoke',
    { ...admin, schema: { tags: ['agents'], summary: 'Revoke an agent: its socket closes (4401) and its credential never works again', params: IdParams, response: { 200: OkResponse } } },
    (request) => {
      const changed = creds.revoke(request.params.id);
      request.log.info({ audit: 'agent.revoke', agentId: request.params.id, by: request.user?.username, changed }, 'agent revoked');
      return { ok: true };
    },
  );
  done();
};

export default enrollmentModule;
