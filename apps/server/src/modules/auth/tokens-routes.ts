import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  ApiTokenCreate,
  ApiTokenCreated,
  ApiTokenIdParams,
  ApiTokenList,
  OkResponse,
} from '@keepwatch/shared';
import { forbiddenMessage, roleAtLeast, type Role } from '../../plugins/auth-policy';

const DAY_MS = 86_400_000;

/**
 * API tokens for scripts: POST/GET/DELETE /tokens. Everyone manages their own; admins see and
 * revoke all. The secret is returned once and stored only as a hash.
 */
const tokensRoutes: FastifyPluginCallback = (app, _opts, done) => {
  app.post(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token (role ≤ mine); the secret is in this response only',
        body: ApiTokenCreate,
        response: { 201: ApiTokenCreated, 400: ApiError, 401: ApiError, 403: ApiError },
      },
    },
    async (request, reply) => {
      const user = request.user;
      if (!user) return reply.code(401).send({ error: 'unauthorized', message: 'log in first' });
      const body = request.body as ApiTokenCreate;
      const role: Role = body.role ?? user.role;
      if (!roleAtLeast(user.role, role)) {
        return reply
          .code(403)
          .send({ error: 'forbidden', message: forbiddenMessage(role, user.role) });
      }
      const ttl = body.ttlDays === undefined ? null : body.ttlDays * DAY_MS;
      const { token, info } = await app.auth.tokens.create(user.id, body.name, role, ttl);
      app.audit.fromRequest(request, {
        action: 'token.create',
        target: String(info.id),
        detail: { name: info.name, role },
      });
      return reply.code(201).send({ ...info, token });
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'API tokens (mine; all for admins), without secrets',
        response: { 200: ApiTokenList, 401: ApiError },
      },
    },
    (request) => {
      const user = request.user;
      return user?.role === 'admin' ? app.auth.tokens.list() : app.auth.tokens.list(user?.id ?? -1);
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API token (mine; any for admins)',
        params: ApiTokenIdParams,
        response: { 200: OkResponse, 400: ApiError, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ApiTokenIdParams;
      const owner = await app.auth.tokens.ownerId(id);
      // Someone else's token is "not found" to a non-admin: ids are not worth confirming.
      if (owner === undefined || (owner !== request.user?.id && request.user?.role !== 'admin')) {
        return reply.code(404).send({ error: 'not_found', message: `no token ${id}` });
      }
      await app.auth.tokens.revoke(id);
      app.audit.fromRequest(request, { action: 'token.revoke', target: String(id) });
      return { ok: true };
    },
  );
  done();
};

export default tokensRoutes;
