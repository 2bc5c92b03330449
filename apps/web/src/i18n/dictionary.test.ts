import { describe, expect, it } from 'vitest';
import { dictionaries, LANGS } from './dictionary';
import { resolveInitialLang } from './lang-store';

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
