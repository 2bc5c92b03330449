import { describe, expect, it } from 'vitest';
import { configEn } from './config-i18n';
import { configZhCN } from './config-i18n-zh';

/** Every leaf of a dictionary as [path, value]; functions are called with sample arguments. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, value]];
}

const call = (v: unknown): string =>
  typeof v === 'function'
    ? String((v as (...a: unknown[]) => unknown)('lb1', 'x', 'y'))
    : String(v);
// Samples that exercise both branches of number-driven texts.
const callN = (v: unknown, n: number): string =>
  typeof v === 'function' ? String((v as (...a: unknown[]) => unknown)(n, n)) : String(v);

// Texts that are the same word in both languages (VRRP states, diff counts).
const SAME = new Set([
  'role.master',
  'role.backup',
  'review.stats',
  'drift.file',
  'editor.label',
  'findings.where',
]);

describe('config page text in zh-CN and en', () => {
  const en = new Map(leaves(configEn));
  const zh = new Map(leaves(configZhCN));

  it('both languages have exactly the same keys, of the same kinds', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [k, v] of en) expect(typeof zh.get(k), k).toBe(typeof v);
  });

  it('no text is empty, and each function words its arguments', () => {
    for (const dict of [en, zh])
      for (const [k, v] of dict) {
        expect(call(v), k).not.toBe('');
        expect(callN(v, 1), k).not.toBe('');
        expect(callN(v, 3), k).not.toBe('');
      }
    expect(configZhCN.findingsIn(3)).toContain('3');
    expect(configEn.history.files(1)).toBe('1 file changed');
    expect(configEn.history.files(2)).toBe('2 files changed');
  });

  it('zh-CN is Chinese wherever the text is words', () => {
    for (const [k, v] of zh) {
      if (SAME.has(k)) continue;
      const text = call(v);
      expect(text, k).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
