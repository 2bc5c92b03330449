import { describe, expect, it } from 'vitest';
import {
  DRILL_KINDS,
  DrillPhase,
  DrillStatus,
  DrillTransitionKind,
  type DrillTarget,
} from '@keepwatch/shared';
import { drillsEn } from './drills-i18n';
import { drillsZhCN } from './drills-i18n-zh';

/*
 * The drill dictionary, key by key, in both languages (the same check as
 * i18n/dictionary.test.ts, run on this feature's own dictionary so a failure names it).
 */

function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      for (const [p, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
    }
  } else out.set(prefix, value);
  return out;
}

/** Text of a leaf: strings as they are, functions called with sample arguments. */
function textOf(leaf: unknown): string {
  if (typeof leaf === 'function') {
    const fn = leaf as (...args: unknown[]) => unknown;
    return String(fn(...Array.from({ length: fn.length }, () => 7)));
  }
  return String(leaf);
}

// Words that are the same in both languages (protocol and file-format names).
const SAME = new Set(['exportMd', 'exportHtml', 'transitionKinds.vrrp', 'window']);

describe('drills dictionary: zh-CN and en complete', () => {
  const en = leaves(drillsEn);
  const zh = leaves(drillsZhCN);

  it('has exactly the same keys, of the same kind, in both languages', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [k, v] of en) expect(typeof zh.get(k), k).toBe(typeof v);
  });

  it('no text is empty, every function gives text, and zh-CN is Chinese', () => {
    for (const [lang, map] of [
      ['en', en],
      ['zh-CN', zh],
    ] as const) {
      for (const [k, leaf] of map) {
        const text = textOf(leaf);
        expect(text.trim(), `${lang}:${k}`).not.toBe('');
        if (lang === 'zh-CN' && !SAME.has(k)) expect(text, k).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('names every kind, status, phase, transition kind and target the contract has', () => {
    const literals = (u: { anyOf: { const: string }[] }): string[] => u.anyOf.map((x) => x.const);
    const targets: DrillTarget[] = ['master', 'backend', 'backends', 'lbs'];
    for (const t of [drillsEn, drillsZhCN]) {
      expect(Object.keys(t.kinds).sort()).toEqual([...DRILL_KINDS].sort());
      expect(Object.keys(t.status).sort()).toEqual(literals(DrillStatus).sort());
      expect(Object.keys(t.phases).sort()).toEqual(literals(DrillPhase).sort());
      expect(Object.keys(t.transitionKinds).sort()).toEqual(literals(DrillTransitionKind).sort());
      expect(Object.keys(t.targets).sort()).toEqual([...targets].sort());
    }
  });
});
