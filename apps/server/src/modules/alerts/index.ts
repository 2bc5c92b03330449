import { Type } from '@sinclair/typebox';
import type { FastifyPluginCallback } from 'fastify';
import {
  AlertChannel,
  AlertChannelIdParams,
  AlertChannelInput,
  AlertChannelList,
  AlertDeliveryResult,
  AlertsResponse,
  ApiError,
} from '@keepwatch/shared';
import { publicChannel } from './channel-store';

const notFound = { error: 'not_found', message: 'no such alert channel' };
// Channel routes are admin-only: 401 without a login, 403 below admin, 400 on a bad body or id.
const denied = { 401: ApiError, 403: ApiError };
const invalid = { 400: ApiError, ...denied };

/**
 * /alerts: active and recent alerts (any logged-in user); /alerts/channels: notification
 * channels, admin only (their configs hold webhook URLs and secrets, returned masked).
 */
const alertsModule: FastifyPluginCallback<{ now: () => number }> = (app, opts, done) => {
  const { alerts } = app;
  const admin = { role: 'admin' as const };

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Active alerts and the latest resolved ones',
        response: { 200: AlertsResponse, 401: ApiError },
      },
    },
    () => alerts.list(),
  );

  app.get(
    '/alerts/channels',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Notification channels (secrets masked)',
        response: { 200: AlertChannelList, ...denied },
      },
    },
    async () => (await alerts.channels.all()).map(publicChannel),
  );

  app.post(
    '/alerts/channels',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Add a channel',
        body: AlertChannelInput,
        response: { 201: AlertChannel, ...invalid },
      },
    },
    async (request, reply) => {
      const created = await alerts.channels.create(request.body as AlertChannelInput, opts.now());
      app.audit.fromRequest(request, {
        action: 'alerts.channel.create',
        target: `channel:${created.id}`,
        detail: { name: created.name, type: created.type },
      });
      return reply.code(201).send(publicChannel(created));
    },
  );

  app.put(
    '/alerts/channels/:id',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Replace a channel ("********" keeps a stored secret)',
        params: AlertChannelIdParams,
        body: AlertChannelInput,
        response: { 200: AlertChannel, ...invalid, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const updated = await alerts.channels.update(
        id,
        request.body as AlertChannelInput,
        opts.now(),
      );
      if (!updated) return reply.code(404).send(notFound);
      app.audit.fromRequest(request, {
        action: 'alerts.channel.update',
        target: `channel:${id}`,
        detail: { name: updated.name, type: updated.type },
      });
      return publicChannel(updated);
    },
  );

  app.delete(
    '/alerts/channels/:id',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Delete a channel',
        params: AlertChannelIdParams,
        response: { 204: Type.Null(), ...invalid, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      if (!(await alerts.channels.remove(id))) return reply.code(404).send(notFound);
      app.audit.fromRequest(request, { action: 'alerts.channel.delete', target: `channel:${id}` });
      return reply.code(204).send();
    },
  );

  app.post(
    '/alerts/channels/:id/test',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Send a test notification now and report the result',
        params: AlertChannelIdParams,
        response: { 200: AlertDeliveryResult, ...invalid, 404: ApiError },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const result = await alerts.test(id);
      if (!result) return reply.code(404).send(notFound);
      app.audit.fromRequest(request, {
        action: 'alerts.channel.test',
        target: `channel:${id}`,
        result: result.ok ? 'ok' : 'error',
        detail: { durationMs: result.durationMs },
      });
      return result;
    },
  );
  done();
};

export default alertsModule;
