import type { AlongsideWrite } from './ingest-repository';
import { txRun, type SqlValue, type TxStep } from './sql-driver';

/*
 * Rows of one INSERT text in one statement: `INSERT INTO t (…) VALUES ($1, …, $n)` with no
 * conflict clause or `ON CONFLICT (…) DO NOTHING` becomes `VALUES (…), (…), …`. An upsert that
 * updates (`ON CONFLICT (…) DO UPDATE …`) is merged only when the caller says no two rows
 * share a key (`uniqueKeys`): two rows of one key in one such statement are an error on
 * PostgreSQL, so it is otherwise run once per row.
 * On PostgreSQL each statement is a round trip on the batch's connection, and the replicas
 * bench (`pnpm bench ingest-replicas`, 10,000 agents) measured the home's commits seconds
 * behind after a connect storm, one statement per row. Same rows, same order, same outcome.
 */

const MERGEABLE =
  /^(\s*INSERT INTO [a-z_]+\s*\([^()]*\)\s*VALUES\s*)\(([^()]*)\)(\s*(?:ON CONFLICT\s*\([^()]*\)\s*DO NOTHING)?\s*)$/i;
/** The same with an updating upsert's tail (no parentheses in it: no subqueries to misread). */
const MERGEABLE_UPSERT =
  /^(\s*INSERT INTO [a-z_]+\s*\([^()]*\)\s*VALUES\s*)\(([^()]*)\)(\s*ON CONFLICT\s*\([^()]*\)\s*DO UPDATE SET [^()]*)$/i;

/** Rows per statement at most (SQLite binds up to 32,766 parameters, PostgreSQL 65,535). */
export const ROWS_PER_STATEMENT = 100;

/** The text split around its one VALUES group, if `$1…$width` in order is all it holds. */
function split(
  sql: string,
  width: number,
  uniqueKeys: boolean,
): { head: string; tail: string } | undefined {
  const m = MERGEABLE.exec(sql) ?? (uniqueKeys ? MERGEABLE_UPSERT.exec(sql) : null);
  if (!m) return undefined;
  const params = (m[2] ?? '').split(',').map((p) => p.trim());
  if (params.length !== width || params.some((p, i) => p !== `$${i + 1}`)) return undefined;
  return { head: m[1] ?? '', tail: m[3] ?? '' };
}

/**
 * Runs `sql` once per row of `rows` (each its parameters), as few statements as it can;
 * yields the rows changed in all. `uniqueKeys`: no two rows hit one conflict key, so an
 * updating upsert may go in together too.
 */
export function* insertRows(
  sql: string,
  rows: readonly (readonly SqlValue[])[],
  opts: { uniqueKeys?: boolean } = {},
): Generator<TxStep, number, unknown> {
  const width = rows[0]?.length ?? 0;
  const parts = rows.length > 1 ? split(sql, width, opts.uniqueKeys === true) : undefined;
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

/** A text's rows as insertRows takes them. */
export interface Run {
  sql: string;
  rows: (readonly SqlValue[])[];
  uniqueKeys: boolean;
}

/**
 * The alongside writes of a batch in the order ingest-repository.ts gives them: by stage,
 * then by text (first write first), each text's rows in their order.
 */
export function alongsideRuns(writes: readonly AlongsideWrite[]): Run[] {
  const stages = new Map<number, Map<string, Run>>();
  for (const w of writes) {
    const stage = w.stage ?? 1;
    let texts = stages.get(stage);
    if (!texts) stages.set(stage, (texts = new Map<string, Run>()));
    let run = texts.get(w.sql);
    if (!run) texts.set(w.sql, (run = { sql: w.sql, rows: [], uniqueKeys: true }));
    run.rows.push(w.params as readonly SqlValue[]);
    if (w.uniqueKeys !== true) run.uniqueKeys = false;
  }
  return [...stages].sort(([a], [b]) => a - b).flatMap(([, texts]) => [...texts.values()]);
}
