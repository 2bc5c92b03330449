import { Type } from '@sinclair/typebox';
import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  Drill,
  DrillIdParams,
  DrillLangQuery,
  DrillList,
  DrillListQuery,
  DrillPreflight,
  DrillProofList,
  DrillStartBody,
  DrillStartResponse,
  type DrillOptions,
} from '@keepwatch/shared';
import { kindInfoList, type DrillService } from './drill-service';
import { renderHtml, renderMarkdown, type Lang } from './report-render';

/*
 * /drills: start (operator), preflight (operator), read, abort (operator), history, report
 * exports, kinds and proof. The contract is packages/shared/src/protocol/drills.ts.
 */

const operator = { role: 'operator' as const };
const denied = { 401: ApiError, 403: ApiError };
const notFound = { error: 'not_found', message: 'no such drill' };

const PreflightBody = DrillStartBody;

export const drillRoutes: FastifyPluginCallback<{ drills: DrillService }> = (app, opts, done) => {
  const { drills } = opts;

  app.get(
    '/drills/kinds',
    {
      schema: {
        tags: ['drills'],
        summary: 'Drill kinds with their hypothesis and criteria (en, zh-CN)',
        response: { 200: Type.Object({ kinds: Type.Array(Type.Unknown()) }), 401: ApiError },
      },
    },
    () => ({ kinds: kindInfoList() }),
  );

  app.post(
    '/drills/preflight',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary: 'The checks a drill must pass, without starting it',
        body: PreflightBody,
        response: { 200: DrillPreflight, 400: ApiError, 404: ApiError, ...denied },
      },
    },
    async (request, reply) => {
      const body = request.body as DrillStartBody;
      if (!app.clusterStore.hasCluster(body.clusterId))
        return reply
          .code(404)
          .send({ error: 'not_found', message: `unknown cluster ${body.clusterId}` });
      return drills.preflight(body.clusterId, body.kind, body.options ?? {});
    },
  );

  app.post(
    '/drills',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary:
          'Start a drill (refused with the preflight reasons, or 409 while the cluster is busy)',
        body: DrillStartBody,
        response: {
          201: DrillStartResponse,
          400: ApiError,
          404: ApiError,
          409: ApiError,
          422: Type.Object({
            error: Type.String(),
            message: Type.String(),
            preflight: Type.Optional(DrillPreflight),
          }),
          ...denied,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as DrillStartBody;
      const options: DrillOptions = body.options ?? {};
      const by = request.user?.username ?? 'anonymous';
      const r = await drills.start(body.clusterId, body.kind, options, by);
      app.audit.fromRequest(request, {
        action: 'drill.start',
        target: r.ok ? `drill:${r.id}` : `cluster:${body.clusterId}`,
        result: r.ok ? 'ok' : 'denied',
        detail: {
          clusterId: body.clusterId,
          kind: body.kind,
          ...(r.ok ? {} : { reason: r.message }),
        },
      });
      if (!r.ok)
        return reply.code(r.code).send({
          error: r.error,
          message: r.message,
          ...(r.preflight && { preflight: r.preflight }),
        });
      return reply.code(201).send({ id: r.id });
    },
  );

  app.get(
    '/drills',
    {
      schema: {
        tags: ['drills'],
        summary: "A cluster's drills (or all), newest first",
        querystring: DrillListQuery,
        response: { 200: DrillList, 400: ApiError, 401: ApiError },
      },
    },
    async (request) => {
      const q = request.query as { clusterId?: string; limit?: number };
      return { drills: await drills.list(q.clusterId, q.limit ?? 50) };
    },
  );

  app.get(
    '/drills/proof',
    {
      schema: {
        tags: ['drills'],
        summary: 'When each cluster last proved its failover, and whether that is stale',
        response: { 200: DrillProofList, 401: ApiError },
      },
    },
    async () => ({ clusters: await drills.proof(app.clusterStore.clusterIds()) }),
  );

  app.get(
    '/drills/:id',
    {
      schema: {
        tags: ['drills'],
        summary: 'One drill: status, phase and report',
        params: DrillIdParams,
        response: { 200: Drill, 400: ApiError, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const d = await drills.get((request.params as { id: string }).id);
      return d ?? reply.code(404).send(notFound);
    },
  );

  app.post(
    '/drills/:id/abort',
    {
      config: operator,
      schema: {
        tags: ['drills'],
        summary: 'Abort a running drill: the fault is restored at once',
        params: DrillIdParams,
        response: { 200: Drill, 400: ApiError, 404: ApiError, 409: ApiError, ...denied },
      },
    },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const d = await drills.get(id);
      if (!d) return reply.code(404).send(notFound);
      const by = request.user?.username ?? 'anonymous';
      if (!drills.abort(id, by))
        return reply
          .code(409)
          .send({ error: 'not_running', message: `drill ${id} is ${d.status}, not running` });
      app.audit.fromRequest(request, { action: 'drill.abort', target: `drill:${id}` });
      return (await drills.get(id)) ?? reply.code(404).send(notFound);
    },
  );

  for (const format of ['md', 'html'] as const)
    app.get(
      `/drills/:id/report.${format}`,
      {
        schema: {
          tags: ['drills'],
          summary: `The drill report as ${format === 'md' ? 'Markdown' : 'HTML'}`,
          params: DrillIdParams,
          querystring: DrillLangQuery,
          response: { 400: ApiError, 401: ApiError, 404: ApiError },
        },
      },
      async (request, reply) => {
        const d = await drills.get((request.params as { id: string }).id);
        if (!d) return reply.code(404).send(notFound);
        const lang: Lang = (request.query as { lang?: Lang }).lang ?? 'en';
        const name = `drill-${d.id}-${lang}.${format}`;
        return reply
          .header('content-disposition', `attachment; filename="${name}"`)
          .type(format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8')
          .send(format === 'md' ? renderMarkdown(d, lang) : renderHtml(d, lang));
      },
    );

  done();
};
