import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import type { Alert } from '@keepwatch/shared';
import { dictionaries } from '../../i18n/dictionary';
import { createFormat } from '../../i18n/format';
import type { I18n } from '../../i18n/i18n-context';
import { ActiveAlerts, RecentAlerts } from './alert-tables';

vi.mock('../../i18n/i18n-context', () => ({
  useI18n: (): I18n => ({
    lang: 'zh-CN',
    t: dictionaries['zh-CN'],
    fmt: createFormat('zh-CN', dictionaries['zh-CN']),
    setLang: () => undefined,
  }),
}));

const alert: Alert = {
  id: 7,
  key: 'a b|vip-split',
  rule: 'vip-split',
  severity: 'critical',
  cluster: 'a b',
  message: 'VIP in two kernels',
  firingAt: 1_800_000_000_123.4,
  resolvedAt: 1_800_000_060_000,
};

// No browser location here: wouter renders links for the path it is given.
const render = (el: ReactElement): string =>
  renderToStaticMarkup(<Router ssrPath="/alerts">{el}</Router>);

describe('alert lists: each alert links to its moment on its cluster’s timeline', () => {
  it('links the active alert’s cluster to ?at=<firing time>', () => {
    const html = render(<ActiveAlerts alerts={[alert]} now={1_800_000_100_000} />);
    expect(html).toContain('href="/clusters/a%20b?at=1800000000123"');
    expect(html).toContain('data-alert-key="a b|vip-split"');
    expect(html).toContain('在集群时间线上查看这一刻');
  });
  it('does the same for a resolved one, and says when none is open', () => {
    const html = render(<RecentAlerts alerts={[alert]} now={1_800_000_100_000} />);
    expect(html).toContain('href="/clusters/a%20b?at=1800000000123"');
    expect(render(<ActiveAlerts alerts={[]} now={0} />)).toContain('data-testid="alerts-none"');
  });
});
