import type { Alert } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { dictionaries } from '../../i18n/dictionary';
import { firingDuration, relativeAge, sortActive, sortRecent } from './alerts-model';

const alert = (
  id: number,
  severity: string,
  firingAt: number,
  resolvedAt: number | null = null,
): Alert => ({
  id,
  key: `k${id}`,
  rule: 'R',
  severity,
  cluster: 'c',
  message: 'm',
  firingAt,
  resolvedAt,
});
const en = dictionaries.en.durationUnits;
const zh = dictionaries['zh-CN'].durationUnits;

describe('sortActive', () => {
  it('puts critical before warning before info, then the oldest first', () => {
    const sorted = sortActive([
      alert(1, 'info', 1),
      alert(2, 'warning', 5),
      alert(3, 'critical', 9),
      alert(4, 'critical', 3),
      alert(5, 'weird', 0),
    ]);
    expect(sorted.map((a) => a.id)).toEqual([4, 3, 2, 1, 5]);
  });
  it('does not mutate its input', () => {
    const input = [alert(1, 'info', 1), alert(2, 'critical', 1)];
    sortActive(input);
    expect(input.map((a) => a.id)).toEqual([1, 2]);
  });
});

describe('sortRecent', () => {
  it('puts the latest resolution first', () => {
    expect(
      sortRecent([
        alert(1, 'critical', 0, 10),
        alert(2, 'info', 0, 30),
        alert(3, 'warning', 0, 20),
      ]).map((a) => a.id),
    ).toEqual([2, 3, 1]);
  });
});

describe('relativeAge', () => {
  it('is null ("just now") under 5 s and for a future time (clock skew)', () => {
    expect(relativeAge(10_000, 6_000, en)).toBeNull();
    expect(relativeAge(10_000, 12_000, en)).toBeNull();
  });
  it('formats the age in both languages', () => {
    expect(relativeAge(200_000, 8_000, en)).toBe('3m 12s');
    expect(relativeAge(200_000, 8_000, zh)).toBe('3分12秒');
    expect(relativeAge(3 * 86_400_000 + 7_200_000, 0, en)).toBe('3d 2h');
  });
});

describe('firingDuration', () => {
  it('is resolvedAt − firingAt, null while active', () => {
    expect(firingDuration(alert(1, 'critical', 1000, 66_000), en)).toBe('1m 05s');
    expect(firingDuration(alert(1, 'critical', 1000), en)).toBeNull();
  });
});
