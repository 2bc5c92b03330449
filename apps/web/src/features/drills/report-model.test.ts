import { describe, expect, it } from 'vitest';
import { dictionaries } from '../../i18n/dictionary';
import { figureRows } from './report-model';
import { report } from './test-fixtures';

const en = dictionaries.en.drills;
const value = (rows: ReturnType<typeof figureRows>, key: string): string | undefined =>
  rows.find((r) => r.key === key)?.value;

describe('report figures (report-model.ts)', () => {
  it('RF-1: downtime first with its three parts as sub-rows; unmeasured parts say so', () => {
    const rows = figureRows(report({ takeoverMs: null }), en, 'en');
    expect(rows.slice(0, 4).map((r) => [r.key, r.sub ?? false])).toEqual([
      ['downtime', false],
      ['detection', true],
      ['takeover', true],
      ['convergence', true],
    ]);
    expect(value(rows, 'downtime')).toBe('4701 ms');
    expect(value(rows, 'takeover')).toBe('not measured');
  });

  it('RF-2: failed of total, and who answered, busiest first', () => {
    const rows = figureRows(report(), en, 'en');
    expect(value(rows, 'failedRequests')).toBe('466 of 2400');
    expect(value(rows, 'answeredBy')).toBe('lb1 1200, lb2 734');
  });

  it('RF-3: the bound with its range and parts, in the reader’s language', () => {
    const part = { name: 'skew', ms: 648, text: { en: 'skew time', 'zh-CN': 'skew 时间' } };
    const bound = {
      expectedMs: 4700,
      lowMs: 4200,
      highMs: 5200,
      parts: [part],
      config: {
        vrrpVersion: 2,
        advertIntMs: 1000,
        backupPriority: 90,
        skewMs: 648,
        masterDownMs: 3648,
        checkScript: 'chk_nginx',
        checkIntervalMs: 1000,
        checkFall: 2,
        higherPrioSendAdvert: false,
        trackFile: false,
      },
    };
    const rows = figureRows(report({ bound }), dictionaries['zh-CN'].drills, 'zh-CN');
    expect(value(rows, 'bound')).toBe('预期 4700 毫秒（4200 毫秒 – 5200 毫秒）');
    expect(rows.find((r) => r.key === 'bound-skew')).toMatchObject({
      label: 'skew 时间',
      sub: true,
    });
  });

  it('RF-4: yes/no, and an unknown check script reads "not measured"', () => {
    const rows = figureRows(report({ checkScriptFired: null, restored: false }), en, 'en');
    expect(value(rows, 'checkScript')).toBe('not measured');
    expect(value(rows, 'restored')).toBe('no');
    expect(value(rows, 'splitBrain')).toBe('no');
  });
});
