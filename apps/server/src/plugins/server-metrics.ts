import fp from 'fastify-plugin';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/*
 * The server's own health for /metrics: prom-client's default collectors (event-loop lag,
 * heap, GC, CPU, open files) plus gauges that modules add for their queues and clients.
 * One registry per app, not prom-client's global one, so tests can build many apps.
 */

export interface ServerMetrics {
  registry: Registry;
  /** A gauge read when scraped; `read` must be cheap (it runs on every scrape). */
  gauge(name: string, help: string, read: () => number): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    serverMetrics: ServerMetrics;
  }
}

export default fp(
  (app, _opts, done) => {
    const registry = new Registry();
    // Event-loop lag is sampled every 10 ms by a libuv histogram (perf_hooks), not a timer.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    const gauge: ServerMetrics['gauge'] = (name, help, read) => {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    };
    gauge(
      'keepwatch_ingest_queue_depth',
      'Agent messages and samples waiting for the next SQLite batch commit (not yet acknowledged).',
      () => app.writer.pending,
    );
    gauge(
      'keepwatch_storage_failing',
      '1 while writes to the data folder fail (disk full, I/O error, read-only), else 0.',
      () => (app.storage.ok ? 0 : 1),
    );
    gauge(
      'keepwatch_storage_write_errors',
      'Writes that failed for want of storage since the server started.',
      () => app.storage.errors,
    );
    gauge(
      'keepwatch_data_free_bytes',
      'Space left for the server in its data folder (statfs; -1 for an in-memory database).',
      () => app.storage.freeBytes() ?? -1,
    );
    app.decorate('serverMetrics', { registry, gauge });
    app.addHook('onClose', (_app, next) => {
      registry.clear();
      next();
    });
    done();
  },
  { name: 'server-metrics', dependencies: ['db'], fastify: '5.x' },
);
