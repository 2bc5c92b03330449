import type { FastifyPluginCallback } from 'fastify';
import { renderExposition } from './exposition';
import { collectMetrics } from './metrics-collect';

/**
 * GET /metrics, Prometheus text format. Outside /api/v1 (the exporters' usual path); like
 * every route it needs a login, or KEEPWATCH_METRICS_TOKEN as Bearer (the access guard).
 */
const metricsModule: FastifyPluginCallback = (app, _opts, done) => {
  let ingestMessages = 0;
  const off = app.bus.on('agent.data', () => {
    ingestMessages += 1;
  });
  app.addHook('onClose', (_app, next) => {
    off();
    next();
  });

  app.get(
    '/metrics',
    { schema: { hide: true }, config: { metricsToken: true } },
    async (_req, reply) => {
      const families = collectMetrics({
        clusters: app.clusterStore.status().clusters,
        interfaceOf: (cluster, node, instance) =>
          app.clusterStore.vrrpInterface(cluster, node, instance),
        alertsFiring: app.alerts.firing(),
        ingestMessages,
      });
      // The cluster families first, then the server's own health (prom-client's text is 0.0.4 too).
      const own = await app.serverMetrics.registry.metrics();
      return reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send(renderExposition(families) + own);
    },
  );
  done();
};

export default metricsModule;
