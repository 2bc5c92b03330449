import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { retentionPolicy } from './history-plugin';
import { DAY_MS } from './rollup';

const base = { KEEPWATCH_DATA: '/tmp/kw-history-config-test', KEEPWATCH_AGENT_TOKEN: 't' };

describe('retention config', () => {
  it('defaults to 2 d raw, 30 d minutes, 400 d hours and transitions', () => {
    expect(retentionPolicy(loadConfig(base).retention)).toEqual({
      rawMs: 2 * DAY_MS,
      minuteMs: 30 * DAY_MS,
      hourMs: 400 * DAY_MS,
      transitionsMs: 400 * DAY_MS,
    });
  });

  it('reads KEEPWATCH_RETENTION_*_DAYS (fractions allowed) and rejects nonsense', () => {
    const cfg = loadConfig({
      ...base,
      KEEPWATCH_RETENTION_RAW_DAYS: '0.5',
      KEEPWATCH_RETENTION_TRANSITIONS_DAYS: '30',
    });
    expect(retentionPolicy(cfg.retention)).toMatchObject({
      rawMs: DAY_MS / 2,
      minuteMs: 30 * DAY_MS,
      transitionsMs: 30 * DAY_MS,
    });
    expect(() => loadConfig({ ...base, KEEPWATCH_RETENTION_HOUR_DAYS: '-1' })).toThrow(
      /KEEPWATCH_RETENTION_HOUR_DAYS/,
    );
    expect(() => loadConfig({ ...base, KEEPWATCH_RETENTION_MINUTE_DAYS: 'a month' })).toThrow(
      /positive number of days/,
    );
  });
});
