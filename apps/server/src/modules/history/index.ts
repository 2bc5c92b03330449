import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  HistorySeriesQuery,
  HistorySeriesResponse,
  HistoryTimelineQuery,
  HistoryTimelineResponse,
} from '@keepwatch/shared';

/**
 * GET /history/timeline and /history/series. Any logged-in user (viewer and up) may read
 * history; the auth plugin's guard in front of /api/v1 enforces the login.
 */
const historyModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: HistoryTimelineQuery }>(
    '/history/timeline',
    {
      schema: {
        tags: ['history'],
        summary: 'Changes of one cluster (optionally one node / some types) in [from, to), by agent time',
        querystring: HistoryTimelineQuery,
        response: { 200: HistoryTimelineResponse, 400: ApiError, 401: ApiError },
      },
    },
    (request) => app.history.queries.timeline(request.query),
  );
  app.get<{ Querystring: HistorySeriesQuery }>(
    '/history/series',
    {
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
