import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  MaintenanceCreate,
  MaintenanceIdParams,
  MaintenanceList,
  MaintenanceQuery,
  MaintenanceWindow,
} from '@keepwatch/shared';

const MAX_AHEAD_MS = 30 * 86_400_000;

/**
 * GET /maintenance (viewer), POST /maintenance and POST /maintenance/:id/end (operator,
 * audited): windows during which a cluster's or a host's alerts are held.
 */
const maintenanceModule: FastifyPluginCallback<{ now: () => number }> = (app, opts, done) => {
  const { now } = opts;
  app.get<{ Querystring: MaintenanceQuery }>(
    '/maintenance',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['maintenance'],
        summary: 'Open and upcoming maintenance windows, and those ended in the last 7 days',
        querystring: MaintenanceQuery,
        response: { 200: MaintenanceList, 400: ApiError, 401: ApiError },
      },
    },
    async (request) => {
      const t = now();
      const { cluster } = request.query;
      return {
        active: app.maintenance.active(t, cluster),
        recent: await app.maintenance.recent(t, cluster),
        generatedAt: t,
      };
    },
  );

  app.post<{ Body: MaintenanceCreate }>(
    '/maintenance',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['maintenance'],
        summary: 'Put a cluster or one of its hosts in maintenance (its alerts are held)',
        body: MaintenanceCreate,
        response: { 201: MaintenanceWindow, 400: ApiError, 401: ApiError, 403: ApiError },
      },
    },
    async (request, reply) => {
      const t = now();
      const b = request.body;
      const startsAt = Math.max(t, Math.round(b.startsAt ?? t));
      if (startsAt - t > MAX_AHEAD_MS) {
        return reply
          .code(400)
          .send({ error: 'bad_request', message: 'startsAt is more than 30 days ahead' });
      }
      const actor = request.user?.username ?? 'anonymous';
      const w = await app.maintenance.create(
        {
          clusterId: b.clusterId,
          node: b.node ?? null,
          startsAt,
          endsAt: startsAt + b.durationMinutes * 60_000,
          reason: b.reason,
          createdBy: actor,
          createdAt: t,
        },
        t,
      );
      app.audit.fromRequest(request, {
        action: 'maintenance.start',
        target: w.node === null ? w.clusterId : `${w.clusterId}/${w.node}`,
        detail: { id: w.id, startsAt: w.startsAt, endsAt: w.endsAt, reason: w.reason },
      });
      return reply.code(201).send(w);
    },
  );

  app.post<{ Params: MaintenanceIdParams }>(
    '/maintenance/:id/end',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['maintenance'],
        summary: 'End a maintenance window now',
        params: MaintenanceIdParams,
        response: {
          200: MaintenanceWindow,
          401: ApiError,
          403: ApiError,
          404: ApiError,
          409: ApiError,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const w = await app.maintenance.get(id);
      if (!w) return reply.code(404).send({ error: 'not_found', message: `no window ${id}` });
      const actor = request.user?.username ?? 'anonymous';
      if (!(await app.maintenance.end(id, actor, now()))) {
        return reply
          .code(409)
          .send({ error: 'conflict', message: `window ${id} has already ended` });
      }
      app.audit.fromRequest(request, {
        action: 'maintenance.end',
        target: w.node === null ? w.clusterId : `${w.clusterId}/${w.node}`,
        detail: { id },
      });
      return app.maintenance.get(id);
    },
  );
  done();
};

export default maintenanceModule;
