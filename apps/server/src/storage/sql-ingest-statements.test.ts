import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { historyWrites } from '../modules/history/history-writes';
import { migrate } from '../plugins/db-migrations';
import { eventWrite, helloWrite } from '../testing/ingest-writes';
import type { IngestWrite } from './ingest-repository';
import { sqliteDriver, type SqlDriver, type TxBody } from './sql-driver';
import { SqlIngest } from './sql-ingest';

/*
 * How many statements a batch costs (each a round trip on PostgreSQL's batch connection): a
 * connect storm's batch of hellos, snapshots and history's rows goes in a few statements of up
 * to ROWS_PER_STATEMENT rows, not several per agent. On SQLite, whose driver is the same code.
 */

const T0 = 1_800_000_000_000;

/** `?` → `$n`, as the batch writer numbers them. */
const numbered = (text: string): string => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

function counted(): { q: SqlDriver; texts: string[]; db: Database.Database } {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const inner = sqliteDriver(db);
  const texts: string[] = [];
  const q: SqlDriver = {
    ...inner,
    transaction: <T>(body: () => TxBody<T>) =>
      inner.transaction(function* (): TxBody<T> {
        const steps = body();
        let step = steps.next();
        while (!step.done) {
          if (step.value.kind !== 'lock') texts.push(step.value.sql);
          step = steps.next(yield step.value);
        }
        return step.value;
      }),
  };
  return { q, texts, db };
}

describe('SqlIngest.commit statements', () => {
  it('a connect storm of 250 agents: 13 statements, not several per agent', async () => {
    const { q, texts, db } = counted();
    const sql = historyWrites('sqlite');
    const writes: IngestWrite[] = [];
    const alongside = [];
    for (let i = 0; i < 250; i++) {
      const agentId = `a${i}`;
      writes.push(
        helloWrite(agentId, { cluster: `c${i % 2}`, nodeName: `lb${i}`, at: T0 }),
        eventWrite(agentId, 1, { type: 'snapshot', at: T0 }),
      );
      // As the history recorder queues them for a snapshot: its change, then the node state.
      alongside.push(
        {
          sql: numbered(sql.insertTransition),
          params: [`c${i % 2}`, `lb${i}`, agentId, 1, 0, T0, T0, 'vrrp.transition', 's', '{}'],
        },
        {
          sql: numbered(sql.saveMirror),
          params: [agentId, '{}'],
          uniqueKeys: true,
        },
      );
    }
    expect(await new SqlIngest(q).commit(writes, alongside)).toEqual({
      stored: 250,
      duplicates: 0,
    });
    // clusters 1, agents 3, events 3, transitions 3, node states 3 (100 rows a statement).
    expect(texts).toHaveLength(13);
    const count = (t: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([count('agents'), count('events'), count('history_transitions')]).toEqual([
      250, 250, 250,
    ]);
    expect(count('history_node_state')).toBe(250);
  });
});
