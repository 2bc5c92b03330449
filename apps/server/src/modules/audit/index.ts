import type { FastifyPluginCallback } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ApiError } from '@keepwatch/shared';

const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only entries with a smaller id (paging cursor)' })),
});
type AuditQuery = Static<typeof AuditQuery>;

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.Number(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('error')]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
});

const AuditPage = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
});

/** GET /audit (admin): the audit log, newest first. */
const auditModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get(
    '/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first (admin)',
        querystring: AuditQuery,
        response: { 200: AuditPage, 401: ApiError, 403: ApiError },
      },
    },
    (request) => {
      const { limit = 100, before } = request.query as AuditQuery;
      const entries = app.audit.store.list(limit, before);
      const last = entries.at(-1);
      return { entries, nextBefore: entries.length === limit && last ? last.id : null };
    },
  );
  done();
};

export default auditModule;
