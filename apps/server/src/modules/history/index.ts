import type { FastifyPluginCallback } from 'fastify';
import {
  ApiError,
  HistorySeriesQuery,
  HistorySeriesResponse,
  HistoryTimelineQuery,
  HistoryTimelineResponse,
} from '@keepwatch/shared';
import { DEFAULT_TIMELINE_LIMIT, timelineTypes } from './history-queries';
import { TimelineActivity, mergeTimeline } from './timeline-activity';

/** GET /history/timeline and /history/series: read-only, so the viewer role is enough. */
const historyModule: FastifyPluginCallback = (app, _opts, done) => {
  const activity = new TimelineActivity(app.repos.history);
  app.get<{ Querystring: HistoryTimelineQuery }>(
    '/history/timeline',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['history'],
        summary:
          'Changes of one cluster (optionally one node / some types) in [from, to), by agent time, with its config pushes and drills',
        querystring: HistoryTimelineQuery,
        response: { 200: HistoryTimelineResponse, 400: ApiError, 401: ApiError },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_TIMELINE_LIMIT;
      const [stored, entries] = await Promise.all([
        app.history.queries.timeline(q),
        activity.entries(q, timelineTypes(q.types), limit),
      ]);
      return mergeTimeline(stored, entries, limit);
    },
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
    async (request) => ({
      ...request.query,
      points: await app.history.queries.series(request.query),
    }),
  );
  done();
};

export default historyModule;
