import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import type { StatusCluster } from '@keepwatch/shared';
import { ServicesContext, type AppServices } from '../../app/services';
import { UserContext } from '../../app/use-app';
import { dictionaries, type Lang } from '../../i18n/dictionary';
import { createFormat } from '../../i18n/format';
import type { I18n } from '../../i18n/i18n-context';
import { DrillSlot } from './drill-slot';
import { DrillTimelineTable } from './drill-timeline-table';
import { ReportSlot, ReportView } from './report-view';
import { UnprovenBadge } from './unproven-badge';
import { drill, report, T0 } from './test-fixtures';

const current: { lang: Lang } = { lang: 'en' };
vi.mock('../../i18n/i18n-context', () => ({
  useI18n: (): I18n => ({
    lang: current.lang,
    t: dictionaries[current.lang],
    fmt: createFormat(current.lang, dictionaries[current.lang], 'Asia/Shanghai'),
    setLang: () => undefined,
  }),
}));

// Effects do not run in server rendering: the services are never called here.
const services = { api: {}, live: {} } as unknown as AppServices;
const cluster = { id: 'lab', name: 'lab', nodes: [] } as unknown as StatusCluster;

function asRole(role: string, node: React.ReactNode): string {
  return renderToStaticMarkup(
    <ServicesContext.Provider value={services}>
      <UserContext.Provider value={{ username: 'u', role }}>
        <Router ssrPath="/">{node}</Router>
      </UserContext.Provider>
    </ServicesContext.Provider>,
  );
}

describe('drill slot on the cluster page', () => {
  it('shows "Run a drill" to operators and admins, never to viewers', () => {
    expect(asRole('viewer', <DrillSlot cluster={cluster} />)).not.toContain(
      'data-testid="run-drill"',
    );
    expect(asRole('operator', <DrillSlot cluster={cluster} />)).toContain(
      'data-testid="run-drill"',
    );
    expect(asRole('admin', <DrillSlot cluster={cluster} />)).toContain('Run a drill');
    // everyone may read the history
    expect(asRole('viewer', <DrillSlot cluster={cluster} />)).toContain(
      'href="/clusters/lab/drills"',
    );
  });
});

describe('overview flag for an unproven pair', () => {
  const proof = (stale: boolean, lastProvenAt: number | null) => ({
    clusterId: 'lab',
    lastProvenAt,
    lastProvenKind: lastProvenAt === null ? null : ('nginx-outage' as const),
    drillId: lastProvenAt === null ? null : 'd1',
    stale,
    staleAfterMs: 30 * 86_400_000,
  });

  it('flags a stale or missing proof in both languages, and says nothing while it is fresh', () => {
    expect(asRole('viewer', <UnprovenBadge clusterId="lab" proof={proof(false, T0)} />)).toBe('');
    expect(asRole('viewer', <UnprovenBadge clusterId="lab" />)).toBe('');
    const never = asRole('viewer', <UnprovenBadge clusterId="lab" proof={proof(true, null)} />);
    expect(never).toContain('data-testid="overview-unproven-lab"');
    expect(never).toContain('failover unproven');
    expect(never).toContain('flagged after 30 days');
    current.lang = 'zh-CN';
    const old = asRole('viewer', <UnprovenBadge clusterId="lab" proof={proof(true, T0)} />);
    current.lang = 'en';
    expect(old).toContain('切换未验证');
    expect(old).toContain('已超过 30 天');
  });
});

describe('drill report', () => {
  it('says pass/fail against the hypothesis, lists the criteria, links both exports in the chosen language', () => {
    current.lang = 'zh-CN';
    const html = asRole(
      'viewer',
      <ReportView
        drill={drill({
          status: 'failed',
          report: report({
            criteria: [
              { id: 'failover', ok: true, text: { en: 'VIP moves', 'zh-CN': 'VIP 漂移' } },
              {
                id: 'downtime-bound',
                ok: false,
                text: { en: 'bound', 'zh-CN': '上限' },
                detail: '9000 ms > 6000 ms',
              },
            ],
          }),
        })}
      />,
    );
    current.lang = 'en';
    expect(html).toContain('data-verdict="failed"');
    expect(html).toContain('未通过：实际结果与假设不符。');
    expect(html).toContain('VIP 漂移');
    expect(html).toContain('9000 ms &gt; 6000 ms');
    expect(html).toContain('href="/api/v1/drills/d1/report.md?lang=zh-CN"');
    expect(html).toContain('href="/api/v1/drills/d1/report.html?lang=zh-CN"');
  });

  it('is not shown while the stored drill still says running (the live feed said it ended first)', () => {
    const stale = asRole(
      'viewer',
      <ReportSlot drill={drill({ status: 'running', phase: 'report' })} />,
    );
    expect(stale).not.toContain('data-testid="drill-report"');
    expect(stale).toContain('state-loading');
    const final = asRole('viewer', <ReportSlot drill={drill({ status: 'passed' })} />);
    expect(final).toContain('data-verdict="passed"');
  });

  it('shows log lines from the hosts as text, with times that say their zone', () => {
    const html = asRole(
      'viewer',
      <DrillTimelineTable
        t0={T0}
        testId="rows"
        transitions={[]}
        logs={[
          { at: T0 + 1500, node: 'lb1', source: 'nginx', text: '<img src=x onerror=alert(1)>' },
        ]}
      />,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('+1.500 s');
    expect(html).toContain('Asia/Shanghai (GMT+8)');
  });
});
