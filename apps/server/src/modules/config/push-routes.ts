import type { FastifyInstance } from 'fastify';
import {
  ConfigClusterParams,
  PushAccepted,
  PushList,
  PushParams,
  PushRequest,
  PushView,
} from '@keepwatch/shared';
import { PushRefused } from './push-service';
import { errors, notFound, refused, tags, type ConfigRouteContext } from './route-context';

/* Pushes (SPEC.md PU-*): start one (operator, audited, refusals too), list them, read one. */
export function pushRoutes(app: FastifyInstance, ctx: ConfigRouteContext): void {
  const { store, service } = ctx;

  app.post(
    '/clusters/:id/config/push',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Push a changeset: dry run, then BACKUP first, health gate, then the MASTER',
        params: ConfigClusterParams,
        body: PushRequest,
        response: { 202: PushAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as ConfigClusterParams;
      const body = request.body as PushRequest;
      const author = request.user?.username ?? 'unknown';
      try {
        const pushId = await service.start(id, body, author);
        app.audit.fromRequest(request, {
          action: body.dryRun ? 'config.push.dry_run' : 'config.push',
          target: id,
          detail: {
            pushId,
            message: body.message,
            files: body.changes.map((c) => `${c.host}:${c.component}`),
          },
        });
        return reply.code(202).send({ pushId });
      } catch (err) {
        if (err instanceof PushRefused)
          app.audit.fromRequest(request, {
            action: 'config.push',
            target: id,
            result: 'denied',
            detail: { reason: err.message },
          });
        return refused(reply, err);
      }
    },
  );

  app.get(
    '/clusters/:id/pushes',
    {
      schema: {
        tags,
        summary: "A cluster's pushes, newest first",
        params: ConfigClusterParams,
        response: { 200: PushList, ...errors },
      },
    },
    async (request) => ({
      pushes: await store.pushes((request.params as ConfigClusterParams).id),
    }),
  );

  app.get(
    '/pushes/:id',
    {
      schema: {
        tags,
        summary: 'One push with per-host progress',
        params: PushParams,
        response: { 200: PushView, ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      return (await store.push(id)) ?? notFound(reply, `no push ${id}`);
    },
  );
}
