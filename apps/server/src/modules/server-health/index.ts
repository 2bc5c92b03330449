import type { FastifyPluginCallback } from 'fastify';
import { ApiError, ServerHealthResponse } from '@keepwatch/shared';

/**
 * GET /health (any logged-in user): the server's own condition, today its data folder
 * (plugins/storage-health.ts), so the dashboard can say "the server cannot store anything"
 * instead of showing a quiet cluster.
 */
const serverHealthModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['server'],
        summary: "The server's own health: can it still write to its data folder?",
        response: { 200: ServerHealthResponse, 401: ApiError },
      },
    },
    () => ({ storage: app.storage.state() }),
  );
  done();
};

export default serverHealthModule;
