import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from './sql-driver';
import { ROWS_PER_STATEMENT, alongsideRuns, insertRows } from './sql-multi-row';

/* insertRows (sql-multi-row.ts) on a real SQLite: the statements it makes and what they store. */

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const q = sqliteDriver(db);
  const texts: string[] = [];
  const run = (sql: string, rows: (number | string)[][], uniqueKeys = false) =>
    q.transaction(function* () {
      const body = insertRows(sql, rows, { uniqueKeys });
      // Pass each step through, noting its text.
      let step = body.next();
      while (!step.done) {
        const s = step.value;
        if (s.kind !== 'lock') texts.push(s.sql);
        step = body.next(yield s);
      }
      return step.value;
    });
  const rows = () => db.prepare('SELECT k, v FROM t ORDER BY k').all();
  return { run, rows, texts };
}

const DO_NOTHING = 'INSERT INTO t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING';

describe('insertRows', () => {
  it('puts the rows of a DO NOTHING insert in statements of ROWS_PER_STATEMENT, same rows stored', async () => {
    const { run, rows, texts } = setup();
    const n = 2 * ROWS_PER_STATEMENT + 50;
    const changed = await run(
      DO_NOTHING,
      Array.from({ length: n }, (_, i) => [i, `v${i}`]),
    );
    expect(changed).toBe(n);
    expect(texts).toHaveLength(3);
    expect(rows()).toHaveLength(n);
    expect(rows()[n - 1]).toEqual({ k: n - 1, v: `v${n - 1}` });
  });

  it('counts a key twice in one run once, as one statement per row would', async () => {
    const { run, rows } = setup();
    expect(
      await run(DO_NOTHING, [
        [1, 'a'],
        [2, 'b'],
      ]),
    ).toBe(2);
    expect(
      await run(DO_NOTHING, [
        [2, 'again'],
        [3, 'c'],
        [3, 'twice'],
      ]),
    ).toBe(1);
    expect(rows()).toEqual([
      { k: 1, v: 'a' },
      { k: 2, v: 'b' },
      { k: 3, v: 'c' },
    ]);
  });

  it('runs an upsert that updates once per row (two rows of a key in one statement are an error)', async () => {
    const { run, rows, texts } = setup();
    const upsert =
      'INSERT INTO t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v';
    expect(
      await run(upsert, [
        [1, 'a'],
        [1, 'b'],
        [2, 'c'],
      ]),
    ).toBe(3);
    expect(texts).toEqual([upsert, upsert, upsert]);
    expect(rows()).toEqual([
      { k: 1, v: 'b' },
      { k: 2, v: 'c' },
    ]);
  });

  it('leaves a text alone whose VALUES are not $1…$n in order', async () => {
    const { run, texts } = setup();
    const odd = 'INSERT INTO t (k, v) VALUES ($2, $1)';
    await run(odd, [
      ['a', 1],
      ['b', 2],
    ]);
    expect(texts).toEqual([odd, odd]);
  });

  it('merges an upsert that updates when the caller says its keys are unique', async () => {
    const { run, rows, texts } = setup();
    const upsert =
      'INSERT INTO t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v';
    await run(upsert, [[1, 'old']]);
    texts.length = 0;
    expect(
      await run(
        upsert,
        [
          [1, 'new'],
          [2, 'b'],
        ],
        true,
      ),
    ).toBe(2);
    expect(texts).toHaveLength(1);
    expect(rows()).toEqual([
      { k: 1, v: 'new' },
      { k: 2, v: 'b' },
    ]);
  });
});

describe('alongsideRuns', () => {
  it('orders by stage, then text by first write; each text keeps its rows in order', () => {
    const runs = alongsideRuns([
      { sql: 'A', params: [1] },
      { sql: 'B', params: [2], uniqueKeys: true },
      { sql: 'S', params: [3], stage: 0 },
      { sql: 'A', params: [4] },
      { sql: 'B', params: [5], uniqueKeys: true },
      { sql: 'C', params: [6], uniqueKeys: true },
      { sql: 'C', params: [7] },
    ]);
    expect(runs).toEqual([
      { sql: 'S', rows: [[3]], uniqueKeys: false },
      { sql: 'A', rows: [[1], [4]], uniqueKeys: false },
      { sql: 'B', rows: [[2], [5]], uniqueKeys: true },
      { sql: 'C', rows: [[6], [7]], uniqueKeys: false },
    ]);
  });
});
