import { txRun, type SqlValue, type TxStep } from './sql-driver';

/*
 * Rows of one INSERT text in one statement: `INSERT INTO t (…) VALUES ($1, …, $n)` with no
 * conflict clause or `ON CONFLICT (…) DO NOTHING` (an upsert that updates is left alone: two
 * rows of one key in one statement are an error on PostgreSQL) becomes `VALUES (…), (…), …`.
 * On PostgreSQL each statement is a round trip on the batch's connection, and the replicas
 * bench (`pnpm bench ingest-replicas`, 10,000 agents) measured the home's commits seconds
 * behind after a connect storm, one statement per row. Same rows, same order, same outcome.
 */

const MERGEABLE =
  /^(\s*INSERT INTO [a-z_]+\s*\([^()]*\)\s*VALUES\s*)\(([^()]*)\)(\s*(?:ON CONFLICT\s*\([^()]*\)\s*DO NOTHING)?\s*)$/i;

/** Rows per statement at most (SQLite binds up to 32,766 parameters, PostgreSQL 65,535). */
export const ROWS_PER_STATEMENT = 100;

/** The text split around its one VALUES group, if `$1…$width` in order is all it holds. */
function split(sql: string, width: number): { head: string; tail: string } | undefined {
  const m = MERGEABLE.exec(sql);
  if (!m) return undefined;
  const params = (m[2] ?? '').split(',').map((p) => p.trim());
  if (params.length !== width || params.some((p, i) => p !== `$${i + 1}`)) return undefined;
  return { head: m[1] ?? '', tail: m[3] ?? '' };
}

/**
 * Runs `sql` once per row of `rows` (each its parameters), as few statements as it can;
 * yields the rows changed in all.
 */
export function* insertRows(
  sql: string,
  rows: readonly (readonly SqlValue[])[],
): Generator<TxStep, number, unknown> {
  const width = rows[0]?.length ?? 0;
  const parts = rows.length > 1 ? split(sql, width) : undefined;
  let changed = 0;
  if (!parts || rows.some((r) => r.length !== width)) {
    for (const r of rows) changed += (yield txRun(sql, r)) as number;
    return changed;
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const groups = chunk.map(
      (_, k) => `(${Array.from({ length: width }, (_, j) => `$${k * width + j + 1}`).join(', ')})`,
    );
    changed += (yield txRun(
      `${parts.head}${groups.join(', ')}${parts.tail}`,
      chunk.flat(),
    )) as number;
  }
  return changed;
}
