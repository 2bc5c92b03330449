import { describe, expect, it } from 'vitest';
import { diffRows, diffStats, foldRows, sideBySide } from './side-diff';

const lines = (n: number, edit?: [number, string]): string =>
  Array.from({ length: n }, (_, i) => (edit && edit[0] === i + 1 ? edit[1] : `line ${i + 1}`)).join(
    '\n',
  ) + '\n';

describe('side-by-side diff', () => {
  it('equal texts have no rows', () => {
    expect(sideBySide('a\nb\n', 'a\nb\n')).toEqual([]);
  });

  it('pairs an edited line on one row, with both line numbers', () => {
    const rows = diffRows('a\nb\nc\n', 'a\nB\nc\n');
    expect(rows).toEqual([
      { kind: 'same', left: { n: 1, text: 'a' }, right: { n: 1, text: 'a' } },
      { kind: 'changed', left: { n: 2, text: 'b' }, right: { n: 2, text: 'B' } },
      { kind: 'same', left: { n: 3, text: 'c' }, right: { n: 3, text: 'c' } },
    ]);
  });

  it('keeps extra removed or added lines of a replaced run on their own side', () => {
    const rows = diffRows('a\nb\nc\nd\n', 'a\nX\nd\n');
    expect(rows.map((r) => r.kind)).toEqual(['same', 'changed', 'removed', 'same']);
    const added = diffRows('a\n', 'a\nb\nc\n');
    expect(added).toEqual([
      { kind: 'same', left: { n: 1, text: 'a' }, right: { n: 1, text: 'a' } },
      { kind: 'added', right: { n: 2, text: 'b' } },
      { kind: 'added', right: { n: 3, text: 'c' } },
    ]);
  });

  it('numbers lines after a change correctly on both sides', () => {
    const rows = diffRows('a\nb\nc\n', 'a\nx\ny\nb\nc\n');
    const last = rows[rows.length - 1];
    expect(last).toEqual({ kind: 'same', left: { n: 3, text: 'c' }, right: { n: 5, text: 'c' } });
  });

  it('folds long unchanged stretches, keeping context around the change', () => {
    const rows = sideBySide(lines(40), lines(40, [20, 'changed']), 3);
    expect(rows.map((r) => r.kind)).toEqual([
      'gap',
      'same',
      'same',
      'same',
      'changed',
      'same',
      'same',
      'same',
      'gap',
    ]);
    expect(rows[0]).toEqual({ kind: 'gap', hidden: 16 });
    expect(rows[8]).toEqual({ kind: 'gap', hidden: 17 });
  });

  it('does not fold a run that a gap row would not shorten', () => {
    const rows = diffRows(lines(8), lines(8, [1, 'x']));
    expect(foldRows(rows, 3).filter((r) => r.kind === 'gap')).toEqual([{ kind: 'gap', hidden: 4 }]);
    const short = diffRows(lines(4), lines(4, [1, 'x']));
    expect(foldRows(short, 3).some((r) => r.kind === 'gap')).toBe(false);
  });

  it('counts added and removed lines (a changed line is one of each)', () => {
    expect(diffStats('a\nb\n', 'a\nB\nc\n')).toEqual({ added: 2, removed: 1 });
  });
});
