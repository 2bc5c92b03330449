import Database from 'better-sqlite3';
import type { AgentDataMessage, AgentHello, StatsSample } from '@keepwatch/shared';
import type { RetentionDays } from '../../config';
import { BatchWriter } from '../../plugins/batch-writer';
import { migrate } from '../../plugins/db-migrations';
import type { Repositories } from '../../storage/repositories';
import { sqliteRepositories } from '../../storage/sql-repositories';
import { AgentIngest } from '../agents/agent-ingest';
import { HistoryMaintenance } from './history-maintenance';
import { retentionPolicy } from './history-plugin';
import { HistoryQueries } from './history-queries';
import { HistoryRecorder } from './history-recorder';

export interface HistoryStore {
  db: Database.Database;
  repos: Repositories;
  writer: BatchWriter;
  ingest: AgentIngest;
  recorder: HistoryRecorder;
  maintenance: HistoryMaintenance;
  queries: HistoryQueries;
  /** What the agent socket does on a hello. */
  hello(h: AgentHello, at: number): void;
  /** What the agent socket does with a new data message: history first, then the event (one batch). */
  data(agentId: string, msg: AgentDataMessage, at: number): Promise<void>;
  stats(agentId: string, sample: StatsSample): void;
  close(): void;
}

/**
 * The storage stack the server runs (same pragmas, migrations, batch writer, ingest and
 * history), without HTTP: for tests and `pnpm bench history`, with an injected clock.
 */
export async function openHistoryStore(opts: {
  path: string;
  now: () => number;
  retention?: RetentionDays;
}): Promise<HistoryStore> {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const repos = sqliteRepositories(db);
  const writer = new BatchWriter(repos.ingest);
  const ingest = new AgentIngest(repos.ingest, writer);
  const recorder = new HistoryRecorder(writer, repos.dialect, repos.history);
  await recorder.load();
  const maintenance = new HistoryMaintenance(repos, recorder, {
    policy: retentionPolicy(opts.retention),
    now: opts.now,
  });
  return {
    db,
    repos,
    writer,
    ingest,
    recorder,
    maintenance,
    queries: new HistoryQueries(repos.history),
    hello(h, at) {
      ingest.hello(h, at).catch(() => undefined);
      void writer.flush();
      void recorder.online(h.agentId, h.node.cluster.id, h.node.name);
    },
    data(agentId, msg, at) {
      recorder.data(agentId, msg, at);
      return ingest.store(agentId, msg, at);
    },
    stats: (agentId, sample) => recorder.stats(agentId, sample),
    close() {
      recorder.flushSamples();
      // SQLite's driver commits inside the call: the last batch is stored before the close.
      void writer.close();
      db.close();
    },
  };
}
