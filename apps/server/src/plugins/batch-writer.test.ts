import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import type { IngestRepository, IngestWrite } from '../storage/ingest-repository';
import { sqliteRepositories } from '../storage/sql-repositories';
import { eventWrite, helloWrite } from '../testing/ingest-writes';
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

const HELLO: IngestWrite = helloWrite('a1');
const event = (seq: number): IngestWrite => eventWrite('a1', seq);

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

  it('writes queued while a commit is in flight gather into one batch, committed when it settles', async () => {
    vi.useFakeTimers();
    try {
      const batches: number[][] = [];
      const gates: (() => void)[] = [];
      const repo: Pick<IngestRepository, 'commit'> = {
        commit: (batch) => {
          batches.push(batch.map((w) => (w.kind === 'event' ? w.seq : 0)));
          return new Promise((r) => gates.push(() => r({ stored: batch.length, duplicates: 0 })));
        },
      };
      const writer = new BatchWriter(repo, { intervalMs: 5 });
      const first = writer.ingest(event(1));
      await vi.advanceTimersByTimeAsync(5);
      expect(batches).toEqual([[1]]);
      const later = [writer.ingest(event(2))];
      await vi.advanceTimersByTimeAsync(5);
      later.push(writer.ingest(event(3)));
      await vi.advanceTimersByTimeAsync(50);
      // Their interval passed, but the commit before them has not settled: they wait together.
      expect(batches).toEqual([[1]]);
      gates[0]?.();
      await first;
      await vi.advanceTimersByTimeAsync(0);
      expect(batches).toEqual([[1], [2, 3]]);
      gates[1]?.();
      await Promise.all(later);
    } finally {
      vi.useRealTimers();
    }
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

describe('IH-5: an agent stored seqs never skip one', () => {
  /** A store whose commit of `failing` (an event seq) fails once, as a timed-out batch does. */
  function failingOnce(failing: number) {
    const { repo, ingest } = setup();
    let failed = false;
    const flaky: Pick<IngestRepository, 'commit'> = {
      commit: (batch, alongside) => {
        const hit = batch.some((w) => w.kind === 'event' && w.seq === failing);
        if (hit && !failed) {
          failed = true;
          return Promise.reject(new Error('Query read timeout'));
        }
        return repo.commit(batch, alongside);
      },
    };
    return { flaky, ingest };
  }

  it('IH-5: after a failed batch, later events of that connection are refused, not stored', async () => {
    const { flaky, ingest } = failingOnce(4);
    const writer = new BatchWriter(flaky, { intervalMs: 10_000 });
    await Promise.all([writer.ingest(HELLO), writer.flush()]);
    const first = [1, 2, 3].map((s) => writer.ingest(event(s)));
    await writer.flush();
    await Promise.all(first);
    // Seq 4 in a batch of its own, 5-9 queued behind it in batches of their own.
    const four = writer.ingest(event(4));
    void writer.flush();
    const later = [5, 6, 7, 8, 9].map((s) => {
      const p = writer.ingest(event(s));
      void writer.flush();
      return p;
    });
    await writer.flush();
    await expect(four).rejects.toThrow(/Query read timeout/);
    for (const p of later) await expect(p).rejects.toThrow(/earlier write of agent a1/);
    expect(await ingest.storedSeq('a1')).toBe(3);
  });

  it('IH-5: a new connection (its hello) commits again, and the replay fills the gap in order', async () => {
    const { flaky, ingest } = failingOnce(4);
    const writer = new BatchWriter(flaky, { intervalMs: 10_000 });
    await Promise.all([writer.ingest(HELLO), writer.flush()]);
    const four = writer.ingest(event(4));
    void writer.flush();
    const five = writer.ingest(event(5));
    await writer.flush();
    await expect(four).rejects.toThrow();
    await expect(five).rejects.toThrow(/earlier write/);
    // The agent reconnects: the welcome says 0 stored; it replays 4 and 5 and sends 6.
    expect(await ingest.storedSeq('a1')).toBe(0);
    const again = [writer.ingest(HELLO), ...[4, 5, 6].map((s) => writer.ingest(event(s)))];
    await writer.flush();
    await Promise.all(again);
    expect(await ingest.storedSeq('a1')).toBe(6);
  });

  it('IH-5: other agents and a lost last-seen stamp are not held back', async () => {
    const { flaky, ingest } = failingOnce(4);
    const writer = new BatchWriter(flaky, { intervalMs: 10_000 });
    const other: IngestWrite = { ...HELLO, agentId: 'a2', nodeName: 'lb2' };
    await Promise.all([writer.ingest(HELLO), writer.ingest(other), writer.flush()]);
    const failed = [
      writer.ingest(event(4)),
      writer.ingest({ ...event(1), agentId: 'a2' }),
      writer.ingest({ kind: 'touch', agentId: 'a2', at: 2 }),
    ];
    await writer.flush();
    for (const p of failed) await expect(p).rejects.toThrow(/Query read timeout/);
    // a2's connection had an event in the failed batch too: its next event is refused as well.
    const a2 = writer.ingest({ ...event(2), agentId: 'a2' });
    const a3: IngestWrite = { ...HELLO, agentId: 'a3', nodeName: 'lb3' };
    const fresh = [writer.ingest(a3), writer.ingest({ ...event(1), agentId: 'a3' })];
    await writer.flush();
    await expect(a2).rejects.toThrow(/earlier write of agent a2/);
    await Promise.all(fresh);
    expect(await ingest.storedSeq('a3')).toBe(1);
  });
});
