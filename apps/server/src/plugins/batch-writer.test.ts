import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { IngestRepository, IngestWrite } from '../storage/ingest-repository';
import { sqliteRepositories } from '../storage/sql-repositories';
import { BatchWriter } from './batch-writer';
import { migrate } from './db-migrations';

/** The real ingest repository on a migrated in-memory SQLite, with its commits counted. */
function setup() {
  const db = new Database(':memory:');
  migrate(db);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const { ingest } = sqliteRepositories(db);
  let commits = 0;
  const repo: Pick<IngestRepository, 'commit'> = {
    commit: (batch, alongside) => {
      commits++;
      return ingest.commit(batch, alongside);
    },
  };
  return { db, repo, ingest, commits: () => commits };
}

const HELLO: IngestWrite = {
  kind: 'hello',
  agentId: 'a1',
  cluster: { id: 'c1', name: 'C1' },
  nodeName: 'lb1',
  role: 'lb',
  facts: '{}',
  capabilities: '{}',
  at: 1,
};
const event = (seq: number): IngestWrite => ({
  kind: 'event',
  agentId: 'a1',
  seq,
  ts: 1,
  agentTs: null,
  receivedAt: 1,
  type: 'vip.change',
  payload: '{}',
});

describe('BatchWriter', () => {
  it('commits queued writes in one transaction and resolves each after commit', async () => {
    const { db, repo, commits } = setup();
    const writer = new BatchWriter(repo, { intervalMs: 20 });
    const writes = Array.from({ length: 50 }, (_, i) =>
      writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [i, 'x']),
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    await Promise.all(writes);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 50 });
    expect(commits()).toBe(1);
  });

  it('flushes at once when the batch is full', async () => {
    const { repo, commits } = setup();
    const writer = new BatchWriter(repo, { intervalMs: 10_000, maxBatch: 10 });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [i, 'x']),
      ),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(commits()).toBe(1);
  });

  it('rejects every write of a failed batch and keeps working', async () => {
    const { db, repo } = setup();
    const writer = new BatchWriter(repo);
    const ok = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'a']);
    const dup = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'b']);
    await expect(ok).rejects.toThrow();
    await expect(dup).rejects.toThrow();
    await writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'c']);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 2 }]);
  });

  it("the agent socket's writes and the rows derived from them share one transaction", async () => {
    const { db, repo, ingest, commits } = setup();
    const errors: unknown[] = [];
    const writer = new BatchWriter(repo, { intervalMs: 10_000, onError: (e) => errors.push(e) });
    await Promise.all([
      writer.ingest(HELLO),
      writer.ingest(event(1)),
      writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'derived']),
      writer.flush(),
    ]);
    expect(commits()).toBe(1);
    expect(db.prepare('SELECT seq FROM events').all()).toEqual([{ seq: 1 }]);
    // A derived row that fails takes the event of its batch with it: nothing of it is acked.
    const stored = writer.ingest(event(2));
    const derived = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [2, null]);
    await writer.flush();
    await expect(stored).rejects.toThrow(/NOT NULL/);
    await expect(derived).rejects.toThrow(/NOT NULL/);
    expect(errors).toHaveLength(1);
    expect(db.prepare('SELECT seq FROM events').all()).toEqual([{ seq: 1 }]);
    expect(await ingest.storedSeq('a1')).toBe(1);
  });

  it('a batch commits only after the one before it settled (an async store: PostgreSQL)', async () => {
    const order: string[] = [];
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const repo: Pick<IngestRepository, 'commit'> = {
      commit: async (batch) => {
        const name = batch.map((w) => w.kind).join(',');
        order.push(`begin ${name}`);
        if (name === 'hello') await gate;
        order.push(`end ${name}`);
        return { stored: 0, duplicates: 0 };
      },
    };
    const writer = new BatchWriter(repo, { intervalMs: 10_000 });
    const hello = writer.ingest(HELLO);
    void writer.flush();
    const ev = writer.ingest(event(1));
    const flushed = writer.flush();
    await Promise.resolve();
    expect(order).toEqual(['begin hello']);
    release();
    await flushed;
    await Promise.all([hello, ev]);
    expect(order).toEqual(['begin hello', 'end hello', 'begin event', 'end event']);
  });

  it('close() flushes what is queued and refuses later writes', async () => {
    const { db, repo } = setup();
    const writer = new BatchWriter(repo, { intervalMs: 10_000 });
    const pending = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'a']);
    await writer.close();
    await pending;
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
    await expect(writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'b'])).rejects.toThrow(
      /closed/,
    );
    await expect(writer.ingest(event(1))).rejects.toThrow(/closed/);
  });

  describe('writeLatest', () => {
    // Appends on conflict: a second run of the statement would show as 'ab'.
    const UPSERT =
      'INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET v = t.v || excluded.v';

    it('runs a queued write of the same key once, with the last params; every promise settles', async () => {
      const { db, repo, commits } = setup();
      const writer = new BatchWriter(repo, { intervalMs: 10_000 });
      const first = writer.writeLatest(UPSERT, '1', [1, 'a']);
      const second = writer.writeLatest(UPSERT, '1', [1, 'b']);
      const other = writer.writeLatest(UPSERT, '2', [2, 'c']);
      expect(writer.pending).toBe(2);
      await writer.flush();
      await Promise.all([first, second, other]);
      expect(db.prepare('SELECT id, v FROM t ORDER BY id').all()).toEqual([
        { id: 1, v: 'b' },
        { id: 2, v: 'c' },
      ]);
      expect(commits()).toBe(1);
      // The next batch runs it again: coalescing is within one batch only.
      await Promise.all([writer.writeLatest(UPSERT, '1', [1, 'd']), writer.flush()]);
      expect(db.prepare('SELECT v FROM t WHERE id = 1').get()).toEqual({ v: 'bd' });
    });

    it('rejects every promise of a coalesced write when its batch fails', async () => {
      const { repo } = setup();
      const writer = new BatchWriter(repo, { intervalMs: 10_000 });
      const first = writer.writeLatest('INSERT INTO t (id, v) VALUES (?, ?)', 'k', [1, 'a']);
      const second = writer.writeLatest('INSERT INTO t (id, v) VALUES (?, ?)', 'k', [1, null]);
      await writer.flush();
      await expect(first).rejects.toThrow(/NOT NULL/);
      await expect(second).rejects.toThrow(/NOT NULL/);
    });
  });
});
