import { describe, expect, it } from 'vitest';
import { dictionaries } from '../../i18n/dictionary';
import { configDifferences } from './config-diffs';

const check = (args: Record<string, string | number>) => ({
  id: 'config-same',
  ok: false,
  args: { master: 'lb1', backup: 'lb2', compared: 'structure', ...args },
});

describe('readiness config-same in words', () => {
  const diffs = [
    { where: 'http', master: 'proxy_connect_timeout 200ms', backup: 'proxy_connect_timeout 5s' },
    { where: 'upstream backends / server 10.77.0.22:8080', master: 'server', backup: '' },
  ];

  it('reads the differences the server sent, and how many it left out', () => {
    const c = check({ differences: 9, diffs: JSON.stringify(diffs) });
    expect(configDifferences(c)).toEqual({ shown: diffs, more: 7 });
    expect(configDifferences(check({ diffs: 'not json' }))).toEqual({ shown: [], more: 0 });
    expect(configDifferences({ ...c, id: 'backup-healthy' }).shown).toEqual([]);
  });

  it('says what differs, and that the files differing only in host-own lines is fine, in both languages', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const w = dictionaries[lang].truth;
      const line = w.diffLine(
        'upstream backends / server 10.77.0.22:8080',
        'lb1',
        'server',
        'lb2',
        '',
      );
      expect(line).toContain('10.77.0.22:8080');
      expect(line).toMatch(lang === 'en' ? /absent/ : /没有/);
      const bad = w.checks['config-same'].bad(check({ differences: 2 }).args);
      expect(bad).toMatch(/2/);
      const ok = w.checks['config-same'].ok({ ...check({}).args, identical: 0 });
      expect(ok).toMatch(lang === 'en' ? /serves what lb1's does/ : /相同的服务/);
    }
  });
});
