import { diffLines } from 'diff';

/*
 * A side-by-side line diff (old on the left, new on the right) for the review before a
 * push and for comparing two versions. Pure: rows in, table out. A removed run followed by
 * an added run is paired line by line as "changed" rows, so an edited setting sits on one
 * row; long unchanged stretches fold into one "gap" row with `context` lines kept around
 * every change.
 */

export interface DiffSide {
  /** 1-based line number in its file. */
  n: number;
  text: string;
}

export type DiffRow =
  | { kind: 'same'; left: DiffSide; right: DiffSide }
  | { kind: 'changed'; left: DiffSide; right: DiffSide }
  | { kind: 'removed'; left: DiffSide }
  | { kind: 'added'; right: DiffSide }
  | { kind: 'gap'; hidden: number };

export interface DiffStats {
  added: number;
  removed: number;
}

/** Lines of a chunk without the empty string after its last newline. */
function linesOf(value: string): string[] {
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Every row of the diff, unfolded. */
export function diffRows(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let l = 1;
  let r = 1;
  const parts = diffLines(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (!part) continue;
    const lines = linesOf(part.value);
    if (!part.added && !part.removed) {
      for (const text of lines)
        rows.push({ kind: 'same', left: { n: l++, text }, right: { n: r++, text } });
      continue;
    }
    if (part.removed) {
      const next = parts[i + 1];
      const added = next?.added ? linesOf(next.value) : [];
      if (next?.added) i++;
      const paired = Math.min(lines.length, added.length);
      for (let k = 0; k < paired; k++)
        rows.push({
          kind: 'changed',
          left: { n: l++, text: lines[k] ?? '' },
          right: { n: r++, text: added[k] ?? '' },
        });
      for (const text of lines.slice(paired))
        rows.push({ kind: 'removed', left: { n: l++, text } });
      for (const text of added.slice(paired)) rows.push({ kind: 'added', right: { n: r++, text } });
      continue;
    }
    for (const text of lines) rows.push({ kind: 'added', right: { n: r++, text } });
  }
  return rows;
}

/** Folds unchanged runs longer than 2 × context (+1) into gap rows. */
export function foldRows(rows: readonly DiffRow[], context = 3): DiffRow[] {
  const out: DiffRow[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i]?.kind !== 'same') {
      const row = rows[i];
      if (row) out.push(row);
      i++;
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j]?.kind === 'same') j++;
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === rows.length ? 0 : context;
    const run = j - i;
    if (run > keepHead + keepTail + 1) {
      out.push(...rows.slice(i, i + keepHead));
      out.push({ kind: 'gap', hidden: run - keepHead - keepTail });
      out.push(...rows.slice(j - keepTail, j));
    } else out.push(...rows.slice(i, j));
    i = j;
  }
  return out;
}

/** The folded side-by-side diff; empty when both texts are equal. */
export function sideBySide(before: string, after: string, context = 3): DiffRow[] {
  if (before === after) return [];
  return foldRows(diffRows(before, after), context);
}

export function diffStats(before: string, after: string): DiffStats {
  const stats = { added: 0, removed: 0 };
  for (const row of diffRows(before, after)) {
    if (row.kind === 'changed') {
      stats.added++;
      stats.removed++;
    } else if (row.kind === 'added') stats.added++;
    else if (row.kind === 'removed') stats.removed++;
  }
  return stats;
}
