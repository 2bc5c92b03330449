import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginCallback } from 'fastify';
import { renderExposition } from './exposition';
import { collectMetrics } from './metrics-collect';

export interface MetricsOptions {
  /** Bearer token required on /metrics (KEEPWATCH_METRICS_TOKEN); undefined = open. */
  token?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function authorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(digest(given), digest(token));
}

/** GET /metrics, Prometheus text format. Outside /api/v1: scrapers have no session. */
const metricsModule: FastifyPluginCallback<MetricsOptions> = (app, opts, done) => {
  let ingestMessages = 0;
  const off = app.bus.on('agent.data', () => {
    ingestMessages += 1;
  });
  app.addHook('onClose', (_app, next) => {
    off();
    next();
  });

  app.get('/metrics', { schema: { hide: true } }, (request, reply) => {
    if (!authorized(request.headers.authorization, opts.token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: 'metrics token required' });
    }
    const families = collectMetrics({
      clusters: app.clusterStore.status().clusters,
      interfaceOf: (cluster, node, instance) =>
        app.clusterStore.vrrpInterface(cluster, node, instance),
      alertsFiring: app.alerts.alerts.active(),
      ingestMessages,
    });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderExposition(families));
  });
  done();
};

export default metricsModule;
