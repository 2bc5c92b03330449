import type { FastifyPluginCallback } from 'fastify';
import { ApiError, AuditPage, AuditQuery } from '@keepwatch/shared';

/** GET /audit (admin): the audit log, newest first, filtered by actor, action and time. */
const auditModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get(
    '/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first (admin)',
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ApiError, 401: ApiError, 403: ApiError },
      },
    },
    async (request) => {
      const { limit = 100, before, actor, action, from, to } = request.query as AuditQuery;
      const entries = await app.repos.audit.list(limit, before, {
        ...(actor !== undefined && { actor }),
        ...(action !== undefined && { action }),
        ...(from !== undefined && { from }),
        ...(to !== undefined && { to }),
      });
      const last = entries.at(-1);
      return { entries, nextBefore: entries.length === limit && last ? last.id : null };
    },
  );
  done();
};

export default auditModule;
