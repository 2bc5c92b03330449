import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import {
  ApiError,
  OkResponse,
  User,
  UserCreate,
  UserList,
  UserParams,
  UserPatch,
} from '@keepwatch/shared';
import { passwordProblem } from '../../plugins/auth-policy';
import { hashPassword } from '../../plugins/password-hash';
import type { UserChange } from './user-store';

const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError };

function publicUser(u: {
  username: string;
  role: string;
  disabled: boolean;
  createdAt: number;
  updatedAt: number | null;
}) {
  return {
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

const notFound = (reply: FastifyReply, username: string): FastifyReply =>
  reply.code(404).send({ error: 'not_found', message: `no user ${username}` });
const lastAdmin = (reply: FastifyReply): FastifyReply =>
  reply.code(409).send({
    error: 'last_admin',
    message: 'this would leave no enabled admin; make another admin first',
  });

/** Admin user management: GET/POST /users, PATCH/DELETE /users/:username. */
const usersModule: FastifyPluginCallback<{ now: () => number }> = (app, opts, done) => {
  // Through the storage contract (storage/repositories.ts): the same on SQLite and PostgreSQL.
  const users = app.repos.users;
  const admin = { role: 'admin' as const };

  app.get(
    '/users',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'All users (admin)',
        response: { 200: UserList, ...errors },
      },
    },
    async () => (await users.list()).map(publicUser),
  );

  app.post(
    '/users',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin)',
        body: UserCreate,
        response: { 201: User, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as UserCreate;
      const problem = passwordProblem(body.password, body.username);
      if (problem) return reply.code(400).send({ error: 'weak_password', message: problem });
      if (await users.get(body.username)) {
        return reply
          .code(409)
          .send({ error: 'exists', message: `user ${body.username} already exists` });
      }
      await app.auth.createUser(body.username, body.password, body.role);
      const created = await users.get(body.username);
      if (!created) throw new Error('user vanished right after insert');
      app.audit.fromRequest(request, {
        action: 'user.create',
        target: body.username,
        detail: { role: body.role },
      });
      return reply.code(201).send(publicUser(created));
    },
  );

  app.patch(
    '/users/:username',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary:
          'Change role, reset password, or (dis)able a user (admin); ends their sessions on password or disable, and a password reset revokes their API tokens',
        params: UserParams,
        body: UserPatch,
        response: { 200: User, ...errors },
      },
    },
    async (request, reply) => {
      const { username } = request.params as UserParams;
      const body = request.body as UserPatch;
      if (body.password !== undefined) {
        const problem = passwordProblem(body.password, username);
        if (problem) return reply.code(400).send({ error: 'weak_password', message: problem });
      }
      const passwordHash =
        body.password === undefined ? undefined : await hashPassword(body.password);
      const change: UserChange = {
        ...(body.role !== undefined && { role: body.role }),
        ...(body.disabled !== undefined && { disabled: body.disabled }),
        ...(passwordHash !== undefined && { passwordHash }),
      };
      // The last-admin check and the write in one transaction (LA-1).
      const r = await users.changeKeepingAdmin(username, change, opts.now());
      if (r.outcome === 'not_found') return notFound(reply, username);
      if (r.outcome === 'last_admin') return lastAdmin(reply);
      const target = r.before;
      const ended =
        passwordHash !== undefined || body.disabled === true
          ? await app.auth.revokeUserSessions(target.id)
          : 0;
      // A reset means the old password may be known to someone else, who may have made a
      // token with it: the reset is only a reset if every credential of the old one dies.
      const revokedTokens =
        passwordHash !== undefined ? await app.auth.tokens.revokeUser(target.id) : 0;
      const detail = {
        role: body.role,
        disabled: body.disabled,
        passwordReset: passwordHash !== undefined,
        endedSessions: ended,
        revokedTokens,
      };
      app.audit.fromRequest(request, { action: 'user.update', target: username, detail });
      return publicUser((await users.get(username)) ?? target);
    },
  );

  app.delete(
    '/users/:username',
    {
      config: admin,
      schema: {
        tags: ['users'],
        summary: 'Delete a user and their sessions and tokens (admin)',
        params: UserParams,
        response: { 200: OkResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { username } = request.params as UserParams;
      const r = await users.changeKeepingAdmin(username, 'delete', opts.now());
      if (r.outcome === 'not_found') return notFound(reply, username);
      if (r.outcome === 'last_admin') return lastAdmin(reply);
      app.audit.fromRequest(request, { action: 'user.delete', target: username });
      return { ok: true };
    },
  );
  done();
};

export default usersModule;
