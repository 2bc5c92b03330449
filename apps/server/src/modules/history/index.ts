import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  HistorySeriesQuery,
  HistorySeriesResponse,
  HistoryTimelineQuery,
  HistoryTimelineResponse,
} from '@keepwatch/shared';

/** GET /history/timeline and /history/series: read-only, so the viewer role is enough. */
const historyModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: HistoryTimelineQuery }>(
    '/history/timeline',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['history'],
        summary:
          'Changes of one cluster (optionally one node / some types) in [from, to), by agent time',
        querystring: HistoryTimelineQuery,
        response: { 200: HistoryTimelineResponse, 400: ApiError, 401: ApiError },
      },
    },
    (request) => app.history.queries.timeline(request.query),
  );
  app.get<{ Querystring: HistorySeriesQuery }>(
    '/history/series',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['history'],
        summary: 'min/avg/max/count per minute or hour of one metric of one node',
        querystring: HistorySeriesQuery,
        response: { 200: HistorySeriesResponse, 400: ApiError, 401: ApiError },
      },
    },
    (request) => ({ ...request.query, points: app.history.queries.series(request.query) }),
  );
  done();
};

export default historyModule;
