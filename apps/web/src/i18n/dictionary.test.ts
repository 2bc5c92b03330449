import { describe, expect, it } from 'vitest';
import { FINDING_CODES, deriveCluster, type NodeView } from '@keepwatch/shared';
import { dictionaries, LANGS } from './dictionary';
import { createFormat } from './format';
import { resolveInitialLang } from './lang-store';
import { READINESS_CHECKS } from '../features/truth/truth-i18n';

/** Flattens a dictionary into "path -> kind" so both languages can be compared key by key. */
function shape(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      for (const [path, kind] of shape(v, prefix ? `${prefix}.${k}` : k)) out.set(path, kind);
    }
  } else {
    out.set(prefix, typeof value);
  }
  return out;
}

describe('i18n dictionaries', () => {
  it('every language has exactly the keys of English, with the same kinds', () => {
    const reference = shape(dictionaries.en);
    for (const lang of LANGS) {
      expect(shape(dictionaries[lang])).toEqual(reference);
    }
  });

  it('no text is empty (except separators)', () => {
    for (const lang of LANGS) {
      for (const [path, kind] of shape(dictionaries[lang])) {
        if (kind !== 'string' || path.endsWith('.sep')) continue;
        const text = path
          .split('.')
          .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], dictionaries[lang]);
        expect(text, `${lang}:${path}`).not.toBe('');
      }
    }
  });

  it('functions produce text in both languages', () => {
    for (const lang of LANGS) {
      const t = dictionaries[lang];
      expect(t.stateFor('MASTER', '3m')).toContain('MASTER');
      expect(t.loginRateLimited(30)).toContain('30');
      expect(t.loginRateLimited(null)).not.toBe('');
    }
  });
});

describe('findings and alerts in both languages', () => {
  it('every finding code has a text in every language, and zh-CN words it differently', () => {
    const en = createFormat('en', dictionaries.en);
    const zh = createFormat('zh-CN', dictionaries['zh-CN']);
    for (const code of FINDING_CODES) {
      const f = {
        code,
        message: 'server text',
        args: { node: 'lb1', vip: '10.0.0.1', nodes: ['a', 'b'] },
      };
      expect(en.finding(f), code).not.toBe('server text');
      expect(zh.finding(f), code).not.toBe(en.finding(f));
      expect(zh.finding(f), code).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('words a real derived finding exactly like the server in English, and in Chinese for zh-CN', () => {
    const lb = (name: string, over: Partial<NodeView>): NodeView => ({
      name,
      role: 'lb',
      online: true,
      vrrp: [
        {
          instance: 'VI_1',
          state: 'MASTER',
          priority: 100,
          effectivePriority: 100,
          vips: ['10.77.0.50'],
        },
      ],
      addresses: ['10.77.0.50'],
      services: { nginx: { healthy: true } },
      clockOffsetMs: 0,
      ...over,
    });
    const c = deriveCluster({
      id: 'c',
      name: 'c',
      nodes: [lb('lb1', { keepalivedRunning: false }), lb('lb2', {})],
      knownVips: [],
      now: 0,
    });
    expect(c.findings.length).toBeGreaterThan(1);
    const en = createFormat('en', dictionaries.en);
    const zh = createFormat('zh-CN', dictionaries['zh-CN']);
    for (const f of c.findings) {
      expect(en.finding(f)).toBe(f.message);
      expect(zh.finding(f)).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('falls back to the server message for a code this build does not know', () => {
    const zh = createFormat('zh-CN', dictionaries['zh-CN']);
    expect(zh.finding({ code: 'ZZ-9', message: 'new rule' })).toBe('new rule');
    expect(zh.finding({ message: 'old alert' })).toBe('old alert');
  });

  it('every time formatted says its zone', () => {
    for (const lang of LANGS) {
      const f = createFormat(lang, dictionaries[lang], 'Asia/Shanghai');
      expect(f.dateTime(0)).toContain('GMT+8');
      expect(f.time(0)).toContain('GMT+8');
      expect(f.zone).toBe('Asia/Shanghai (GMT+8)');
    }
  });
});

describe('resolveInitialLang', () => {
  it('uses a valid stored choice first', () => {
    expect(resolveInitialLang('en', ['zh-CN'])).toBe('en');
    expect(resolveInitialLang('zh-CN', ['en-US'])).toBe('zh-CN');
  });
  it('ignores an invalid stored value and falls back to the browser', () => {
    expect(resolveInitialLang('fr', ['zh-TW'])).toBe('zh-CN');
  });
  it('maps any zh* browser language to zh-CN, anything else to en', () => {
    expect(resolveInitialLang(null, ['zh'])).toBe('zh-CN');
    expect(resolveInitialLang(null, ['ZH-hans'])).toBe('zh-CN');
    expect(resolveInitialLang(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(resolveInitialLang(null, [])).toBe('en');
  });
});

describe('truth, readiness, maintenance and host texts in both languages', () => {
  const args = {
    node: 'lb2',
    master: 'lb1',
    backup: 'lb2',
    masterHash: 'aa',
    backupHash: 'bb',
    total: 2,
    unhealthy: 'web1',
    maxDays: 30,
    instance: 'VI_1',
    vip: '10.0.0.1',
    others: 'lb1',
  };
  it('every readiness check the server sends is worded for ok, failed and unknown, zh-CN in Chinese', () => {
    for (const id of READINESS_CHECKS) {
      for (const kind of ['ok', 'bad', 'unknown'] as const) {
        const en = dictionaries.en.truth.checks[id][kind](args);
        const zh = dictionaries['zh-CN'].truth.checks[id][kind](args);
        expect(en, `${id}.${kind}`).not.toBe('');
        expect(zh, `${id}.${kind}`).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });
  it('every contradiction of the truth table is worded, zh-CN in Chinese', () => {
    for (const [code, word] of Object.entries(dictionaries['zh-CN'].truth.flags)) {
      expect(word(args), code).toMatch(/[\u4e00-\u9fff]/);
      expect(
        dictionaries.en.truth.flags[code as keyof typeof dictionaries.en.truth.flags](args),
      ).not.toBe('');
    }
  });
  it('maintenance banners say until when in both languages', () => {
    for (const lang of LANGS) {
      expect(dictionaries[lang].maintenance.bannerCluster('12:00 GMT+8')).toContain('12:00 GMT+8');
      expect(dictionaries[lang].maintenance.bannerHost('lb2', '12:00')).toContain('lb2');
    }
  });
});
