import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  let commits = 0;
  const realTx = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => void) => {
    const tx = realTx(fn);
    return (...args: unknown[]) => {
      tx(...args);
      commits++;
    };
  }) as typeof db.transaction;
  return { db, commits: () => commits };
}

describe('BatchWriter', () => {
  it('commits queued writes in one transaction and resolves each after commit', async () => {
    const { db, commits } = setup();
    const writer = new BatchWriter(db, { intervalMs: 20 });
    const writes = Array.from({ length: 50 }, (_, i) =>
      writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [i, 'x']),
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    await Promise.all(writes);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 50 });
    expect(commits()).toBe(1);
  });

  it('flushes at once when the batch is full', async () => {
    const { db, commits } = setup();
    const writer = new BatchWriter(db, { intervalMs: 10_000, maxBatch: 10 });
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
    const { db } = setup();
    const writer = new BatchWriter(db);
    const ok = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'a']);
    const dup = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'b']);
    await expect(ok).rejects.toThrow();
    await expect(dup).rejects.toThrow(/UNIQUE/);
    await writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'c']);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 2 }]);
  });

  it('close() flushes what is queued and refuses later writes', async () => {
    const { db } = setup();
    const writer = new BatchWriter(db, { intervalMs: 10_000 });
    const pending = writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [1, 'a']);
    writer.close();
    await pending;
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
    await expect(writer.write('INSERT INTO t (id, v) VALUES (?, ?)', [2, 'b'])).rejects.toThrow(
      /closed/,
    );
  });

  describe('writeLatest', () => {
    // Appends on conflict: a second run of the statement would show as 'ab'.
    const UPSERT =
      'INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET v = v || excluded.v';

    it('runs a queued write of the same key once, with the last params; every promise settles', async () => {
      const { db, commits } = setup();
      const writer = new BatchWriter(db, { intervalMs: 10_000 });
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
      const { db } = setup();
      const writer = new BatchWriter(db, { intervalMs: 10_000 });
      const first = writer.writeLatest('INSERT INTO t (id, v) VALUES (?, ?)', 'k', [1, 'a']);
      const second = writer.writeLatest('INSERT INTO t (id, v) VALUES (?, ?)', 'k', [1, null]);
      await writer.flush();
      await expect(first).rejects.toThrow(/NOT NULL/);
      await expect(second).rejects.toThrow(/NOT NULL/);
    });
  });
});
