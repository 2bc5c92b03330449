import { describe, expect, it } from 'vitest';
import { dictionaries } from '../i18n/dictionary';
import { formatDuration, formatOffset } from './format-duration';

const en = dictionaries.en.durationUnits;
const zh = dictionaries['zh-CN'].durationUnits;

describe('formatDuration', () => {
  it('shows seconds alone under a minute', () => {
    expect(formatDuration(0, en)).toBe('0s');
    expect(formatDuration(59_999, en)).toBe('59s');
  });
  it('shows minutes and padded seconds', () => {
    expect(formatDuration(192_000, en)).toBe('3m 12s');
    expect(formatDuration(65_000, en)).toBe('1m 05s');
  });
  it('shows hours and minutes, then days and hours', () => {
    expect(formatDuration(3_840_000, en)).toBe('1h 04m');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 5_000, en)).toBe('2d 3h');
  });
  it('reads negative durations (clock skew) as zero', () => {
    expect(formatDuration(-5000, en)).toBe('0s');
  });
  it('uses Chinese units without a separator', () => {
    expect(formatDuration(192_000, zh)).toBe('3分12秒');
    expect(formatDuration(3_840_000, zh)).toBe('1小时04分');
  });
});

describe('formatOffset', () => {
  it('signs and scales', () => {
    expect(formatOffset(12.4)).toBe('+12 ms');
    expect(formatOffset(-1234)).toBe('−1.2 s');
    expect(formatOffset(0)).toBe('±0 ms');
  });
});
