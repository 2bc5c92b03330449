import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@keepwatch/shared';
import { dictionaries } from '../../i18n/dictionary';
import { describeActivity } from './timeline-activity';
import { rowLink, timelineRows } from './timeline-model';

const server = (ts: number, type: string, data: unknown, node = ''): HistoryEvent => ({
  ts,
  receivedAt: ts,
  node,
  agentId: 'server',
  seq: 0,
  type,
  summary: type,
  data,
});

const push = { pushId: 'p1', message: 'weight 30', author: 'admin' };
const drill = { drillId: 'd 1', kind: 'nginx-outage', startedBy: 'ops', targets: ['lb1'] };
const events = [
  server(1, 'push.started', { ...push, status: 'running' }),
  server(2, 'push.host', { ...push, status: 'rolled_back', host: 'lb2', error: 'gate' }, 'lb2'),
  server(3, 'push.finished', { ...push, status: 'rolled_back', summary: 's' }),
  server(4, 'drill.started', { ...drill, status: 'running' }),
  server(5, 'drill.phase', { ...drill, status: 'passed', phase: 'fault' }),
  server(6, 'drill.result', {
    ...drill,
    status: 'passed',
    downtimeMs: 4274.4,
    failedRequests: 383,
    totalRequests: 2222,
  }),
];

describe('timeline: pushes and drills as entries of their own', () => {
  const rows = timelineRows(events, [], 'lab', 0, 10);

  it('gives them their kinds, flags a rolled-back push, and links drills and pushes', () => {
    expect(rows.map((r) => [r.kind, r.bad])).toEqual([
      ['push', false],
      ['push', true],
      ['push', true],
      ['drill', false],
      ['drill', false],
      ['drill', false],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rowLink(rows[5]!, 'lab')).toBe('#/drills/d%201');
    expect(rowLink(rows[0]!, 'lab')).toBe('#/clusters/lab/config');
  });

  it('words them in English and in Chinese', () => {
    const en = rows.map((r) => describeActivity(r, dictionaries.en));
    expect(en).toEqual([
      'config push started by admin: “weight 30”',
      'lb2: rolled back (gate)',
      'config push rolled back',
      'drill started by ops: nginx outage on the MASTER',
      'drill: fault injected',
      'drill passed: 4274 ms client downtime, 383 of 2222 requests failed',
    ]);
    const zh = rows.map((r) => describeActivity(r, dictionaries['zh-CN']));
    expect(zh[2]).toBe('配置推送已回滚');
    expect(zh.every((s) => s !== null && !/started|drill|push/.test(s))).toBe(true);
  });
});
