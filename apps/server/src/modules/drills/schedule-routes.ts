import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  DrillSchedule,
  DrillScheduleIdParams,
  DrillScheduleInput,
  DrillScheduleList,
} from '@keepwatch/shared';
import { validateCron, type ScheduleStore } from './drill-schedule';
import type { DrillScheduler } from './drill-scheduler';

/* /drills/schedules: read (any login), create/replace/delete (operator, audited). */

const operator = { role: 'operator' as const };
const denied = { 401: ApiError, 403: ApiError };
const notFound = { error: 'not_found', message: 'no such schedule' };

export const scheduleRoutes: FastifyPluginCallback<{
  schedules: ScheduleStore;
  scheduler: DrillScheduler;
}> = (app, opts, done) => {
  const { schedules, scheduler } = opts;

  const invalid = (input: DrillScheduleInput): string | undefined => {
    try {
      validateCron(input.cron, input.timezone ?? 'UTC');
    } catch (err) {
      return `invalid schedule: ${err instanceof Error ? err.message : String(err)}`;
    }
    return undefined;
  };

  app.get(
    '/drills/schedules',
    {
      schema: {
        tags: ['drills'],
        summary: 'Drill schedules with their next run inside the window',
        response: { 200: DrillScheduleList, 401: ApiError },
      },
    },
    async () => ({ schedules: await schedules.list() }),
  );

  app.post(
    '/drills/schedules',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary: 'Add a schedule (croner expression, time zone, maintenance window)',
        body: DrillScheduleInput,
        response: { 201: DrillSchedule, 400: ApiError, ...denied },
      },
    },
    async (request, reply) => {
      const input = request.body as DrillScheduleInput;
      const bad = invalid(input);
      if (bad) return reply.code(400).send({ error: 'bad_request', message: bad });
      const created = await schedules.create(input, request.user?.username ?? 'anonymous');
      app.audit.fromRequest(request, {
        action: 'drill.schedule.create',
        target: `schedule:${created.id}`,
        detail: { clusterId: input.clusterId, kind: input.kind, cron: input.cron },
      });
      await scheduler.arm();
      return reply.code(201).send(created);
    },
  );

  app.put(
    '/drills/schedules/:id',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary: 'Replace a schedule',
        params: DrillScheduleIdParams,
        body: DrillScheduleInput,
        response: { 200: DrillSchedule, 400: ApiError, 404: ApiError, ...denied },
      },
    },
    async (request, reply) => {
      const input = request.body as DrillScheduleInput;
      const bad = invalid(input);
      if (bad) return reply.code(400).send({ error: 'bad_request', message: bad });
      const id = (request.params as { id: number }).id;
      const updated = await schedules.replace(id, input);
      if (!updated) return reply.code(404).send(notFound);
      app.audit.fromRequest(request, { action: 'drill.schedule.update', target: `schedule:${id}` });
      await scheduler.arm();
      return updated;
    },
  );

  app.delete(
    '/drills/schedules/:id',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary: 'Delete a schedule',
        params: DrillScheduleIdParams,
        response: { 204: { type: 'null' }, 400: ApiError, 404: ApiError, ...denied },
      },
    },
    async (request, reply) => {
      const id = (request.params as { id: number }).id;
      if (!(await schedules.delete(id))) return reply.code(404).send(notFound);
      app.audit.fromRequest(request, { action: 'drill.schedule.delete', target: `schedule:${id}` });
      await scheduler.arm();
      return reply.code(204).send();
    },
  );

  done();
};
