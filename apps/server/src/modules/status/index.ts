import type { FastifyPluginCallback } from 'fastify';
import { ApiError, StatusResponse } from '@keepwatch/shared';

/** GET /status: every cluster's derived status (shape fixed by ARCHITECTURE.md). */
const statusModule: FastifyPluginCallback = (app, _opts, done) => {
  app.get(
    '/status',
    {
      schema: {
        tags: ['status'],
        summary: 'Every cluster: verdict, findings, VIPs (kernel holders) and nodes',
        response: { 200: StatusResponse, 401: ApiError },
      },
    },
    () => app.clusterStore.status(),
  );
  done();
};

export default statusModule;
