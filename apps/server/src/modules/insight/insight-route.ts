import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import { ApiError } from '@keepwatch/shared';

/** One read-only insight route: what it answers, and what it is about (a cluster, a host). */
export interface InsightRoute<P extends TSchema, S extends TSchema, T> {
  url: string;
  summary: string;
  params: P;
  response: S;
  /** The thing the route is about; undefined answers 404. */
  find: (params: Static<P>) => T | undefined | Promise<T | undefined>;
  /** How the 404 names what was not found ("cluster lab", "host lab/lb9"). */
  what: (params: Static<P>) => string;
}

/**
 * GET for viewers with the params checked by their schema and one 404 shape for an unknown
 * cluster or host, so each insight handler only says what it answers about a thing it has.
 */
export function insightGet<P extends TSchema, S extends TSchema, T>(
  app: FastifyInstance,
  route: InsightRoute<P, S, T>,
  answer: (found: T, params: Static<P>) => Static<S> | Promise<Static<S>>,
): void {
  app.get(
    route.url,
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['insight'],
        summary: route.summary,
        params: route.params,
        response: { 200: route.response, 401: ApiError, 404: ApiError },
      },
    },
    async (request, reply) => {
      const params = request.params as Static<P>;
      const found = await route.find(params);
      if (found === undefined) {
        return reply.code(404).send({ error: 'not_found', message: `no ${route.what(params)}` });
      }
      return answer(found, params);
    },
  );
}
