import fp from 'fastify-plugin';
import type { RetentionDays } from '../../config';
import { HistoryMaintenance } from './history-maintenance';
import { HistoryQueries } from './history-queries';
import { HistoryRecorder } from './history-recorder';
import { DAY_MS, MINUTE_MS, type RetentionPolicy } from './rollup';

export interface HistoryPluginOptions {
  now: () => number;
  retention?: RetentionDays;
  /** How often the rollup/prune job runs; default every minute. 0 = never (tests run it). */
  maintenanceIntervalMs?: number;
}

export interface History {
  recorder: HistoryRecorder;
  queries: HistoryQueries;
  maintenance: HistoryMaintenance;
}

declare module 'fastify' {
  interface FastifyInstance {
    history: History;
  }
}

export const DEFAULT_RETENTION_DAYS = { raw: 2, minute: 30, hour: 400, transitions: 400 } as const;

export function retentionPolicy(days: RetentionDays = {}): RetentionPolicy {
  const d = { ...DEFAULT_RETENTION_DAYS, ...days };
  return {
    rawMs: d.raw * DAY_MS,
    minuteMs: d.minute * DAY_MS,
    hourMs: d.hour * DAY_MS,
    transitionsMs: d.transitions * DAY_MS,
  };
}

/**
 * History written as agents report (the agent socket's `history` ingest stage) and the
 * background rollup + pruning job. Registered after db and the agent socket plugin.
 */
export default fp<HistoryPluginOptions>(
  async (app, opts) => {
    const recorder = new HistoryRecorder(app.writer, app.repos.dialect, app.repos.history);
    // Before the agent socket takes hellos (the server listens after every plugin is ready).
    await recorder.load();
    const queries = new HistoryQueries(app.repos.history);
    const maintenance = new HistoryMaintenance(app.repos, recorder, {
      onError: (err) => app.storage.failed(err, 'history maintenance'),
      policy: retentionPolicy(opts.retention),
      now: opts.now,
    });
    app.decorate('history', { recorder, queries, maintenance });
    // The agent socket's `history` stage (modules/agents SPEC.md IH-1, IH-2): called in its
    // declared place, synchronously before the event is queued, so the changes derived from a
    // message commit in the event's own batch and its ack covers them.
    const off = app.agentSocket.hooks.add('history', {
      online: ({ agentId, hello }) => {
        void recorder.online(agentId, hello.node.cluster.id, hello.node.name);
      },
      data: ({ agentId, message, at }) => recorder.data(agentId, message, at),
      stats: ({ agentId, sample }) => recorder.stats(agentId, sample),
    });
    const interval = opts.maintenanceIntervalMs ?? MINUTE_MS;
    if (interval > 0) maintenance.start(interval);
    app.addHook('onClose', (_app, next) => {
      maintenance.stop();
      off();
      // The db plugin closes after us and flushes the writer: buffered samples get stored.
      recorder.flushSamples();
      next();
    });
  },
  { name: 'history', dependencies: ['db', 'agent-socket'], fastify: '5.x' },
);
