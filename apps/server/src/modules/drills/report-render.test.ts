import { describe, expect, it } from 'vitest';
import type { Drill } from '@keepwatch/shared';
import { emptyReport } from './drill-plan';
import { renderHtml, renderMarkdown } from './report-render';

/* The exported report (GET /drills/:id/report.md|.html?lang=), rules RP-* of SPEC.md. */

const T = 1_800_000_000_000;

function drill(over: Partial<Drill> = {}): Drill {
  const report = {
    ...emptyReport({
      vip: '10.77.0.50',
      master: 'lb1',
      targets: ['lb1'],
      probeIntervalMs: 10,
      probeTimeoutMs: 200,
      holdMs: 8000,
    }),
    faultAt: T,
    restoreAt: T + 8000,
    downtimeMs: 4340,
    failedRequests: 385,
    totalRequests: 1412,
    newMaster: 'lb2',
    timeToNewMasterMs: 4346,
    detectionMs: 1010,
    takeoverMs: 3336,
    convergenceMs: 4,
    restored: true,
    criteria: [
      {
        id: 'failover',
        ok: true,
        text: { en: 'the VIP moved', 'zh-CN': 'VIP 已漂移' },
        detail: 'lb2 4.346 s',
      },
      {
        id: 'no-split',
        ok: false,
        text: { en: 'one holder at a time', 'zh-CN': '同一时刻只有一个持有者' },
      },
    ],
    findings: [
      {
        code: 'stale-vip',
        severity: 'critical' as const,
        text: { en: 'both kernels held the VIP', 'zh-CN': '两个内核同时持有 VIP' },
      },
    ],
    transitions: [{ at: T + 4346, node: 'lb2', kind: 'vip-add' as const, detail: '10.77.0.50' }],
    logs: [
      {
        at: T + 4340,
        node: 'lb2',
        source: 'keepalived',
        text: '<script>alert(1)</script> ``` | Entering MASTER STATE',
      },
    ],
    samples: {
      vip: [
        [T - 10, 1, 200, 'lb1'],
        [T + 10, 0.3, 'refused', null],
        [T + 4350, 1, 200, 'lb2'],
      ] as Drill['report']['samples'][string],
    },
  };
  return {
    id: 'd-1',
    clusterId: 'lab',
    kind: 'nginx-outage',
    status: 'failed',
    phase: 'done',
    startedBy: 'ops',
    scheduleId: null,
    startedAt: T - 1500,
    endedAt: T + 20_000,
    downtimeMs: 4340,
    failedRequests: 385,
    error: 'lb1: nginx | stop <failed>',
    options: {},
    preflight: null,
    report,
    ...over,
  };
}

describe('drill report export (SPEC.md RP-*)', () => {
  it('RP-1: Markdown carries the headline figures, criteria and findings in the chosen language', () => {
    const en = renderMarkdown(drill(), 'en');
    for (const s of [
      '**4340 ms**',
      '**385**',
      '| 1412 |',
      '| lb2 |',
      '4346 ms',
      '1010 ms / 3336 ms / 4 ms',
      '**FAILED**',
      '❌ one holder at a time',
      '**critical** stale-vip: both kernels held the VIP',
    ])
      expect(en).toContain(s);
    const zh = renderMarkdown(drill(), 'zh-CN');
    for (const s of [
      '故障切换演练报告',
      '中断时间',
      '**未通过**',
      '❌ 同一时刻只有一个持有者',
      '两个内核同时持有 VIP',
      '已恢复稳态 | 是',
    ])
      expect(zh).toContain(s);
    expect(zh).not.toContain('Downtime');
  });

  it('RP-1: HTML is one file in the chosen language, with the chart of the VIP probe', () => {
    const html = renderHtml(drill(), 'zh-CN');
    expect(html.startsWith('<!doctype html><html lang="zh-CN">')).toBe(true);
    expect(html).toContain('<td>中断时间</td><td><b>4340 ms</b></td>');
    expect(html).toContain('<svg');
    expect(html.match(/<rect /g)).toHaveLength(3);
    expect(html).toContain('fill="#d22"');
  });

  it('RP-2: text from hosts is escaped in HTML and cannot break the Markdown structure', () => {
    const d = drill();
    const html = renderHtml(d, 'en');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The error's `|` stays inside its cell: the result row has exactly two cells.
    expect(html).toContain(
      '<tr><td>Result</td><td><b>FAILED</b> (lb1: nginx | stop &lt;failed&gt;)</td></tr>',
    );
    const md = renderMarkdown(d, 'en');
    expect(md).toContain('(lb1: nginx \\| stop <failed>) |');
    // One opening and one closing fence: the log line's ``` was neutralised.
    expect(md.match(/```/g)).toHaveLength(2);
    const multi = renderMarkdown(drill({ error: 'line one\n# not a heading' }), 'en');
    expect(multi.split('\n').some((l) => l.startsWith('# not a heading'))).toBe(false);
  });
});
