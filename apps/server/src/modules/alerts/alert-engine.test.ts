import { describe, expect, it } from 'vitest';
import type { StatusCluster } from '@keepwatch/shared';
import {
  alertKey,
  observe,
  planAlerts,
  type ActiveAlert,
  type ObservedAlert,
} from './alert-engine';

const obs = (key: string): ObservedAlert => ({
  key,
  rule: 'R',
  severity: 'warning',
  cluster: 'c',
  message: key,
});
const active = (key: string, firingAt = 0, lastNotifiedAt: number | null = 0): ActiveAlert => ({
  ...obs(key),
  id: 1,
  firingAt,
  lastNotifiedAt,
});
const base = { pending: new Map<string, number>(), holdMs: 2000, renotifyMs: 0 };

describe('planAlerts', () => {
  it('holds a new finding for holdMs before it fires', () => {
    const first = planAlerts({ ...base, active: [], observed: [obs('a')], now: 1000 });
    expect(first.fire).toEqual([]);
    expect(first.pending.get('a')).toBe(1000);
    const early = planAlerts({
      ...base,
      active: [],
      observed: [obs('a')],
      pending: first.pending,
      now: 2999,
    });
    expect(early.fire).toEqual([]);
    const due = planAlerts({
      ...base,
      active: [],
      observed: [obs('a')],
      pending: early.pending,
      now: 3000,
    });
    expect(due.fire.map((o) => o.key)).toEqual(['a']);
  });

  it('forgets a pending finding that went away before the hold ended', () => {
    const gone = planAlerts({
      ...base,
      active: [],
      observed: [],
      pending: new Map([['a', 0]]),
      now: 1000,
    });
    expect(gone.pending.size).toBe(0);
  });

  it('never fires an active key again; resolves it once unobserved', () => {
    expect(
      planAlerts({ ...base, active: [active('a')], observed: [obs('a')], now: 99_999 }).fire,
    ).toEqual([]);
    expect(
      planAlerts({ ...base, active: [active('a')], observed: [], now: 5 }).resolve.map(
        (a) => a.key,
      ),
    ).toEqual(['a']);
  });

  it('re-notifies every renotifyMs while firing', () => {
    const input = {
      ...base,
      renotifyMs: 60_000,
      active: [active('a', 0, 10_000)],
      observed: [obs('a')],
    };
    expect(planAlerts({ ...input, now: 69_999 }).renotify).toEqual([]);
    expect(planAlerts({ ...input, now: 70_000 }).renotify.map((a) => a.key)).toEqual(['a']);
  });
});

describe('alertKey', () => {
  it('ignores changing figures and service details, keeps the subject', () => {
    const stale = (s: number) =>
      alertKey('c', {
        rule: 'AGENT_STALE',
        severity: 'warning',
        message: `no message from the agent on lb1 for ${s} s`,
        nodes: ['lb1'],
      });
    expect(stale(16)).toBe(stale(45));
    const svc = (d: string) =>
      alertKey('c', {
        rule: 'SERVICE_DOWN',
        severity: 'warning',
        message: `nginx on lb2 is down: ${d}`,
        nodes: ['lb2'],
      });
    expect(svc('ECONNREFUSED')).toBe(svc('HTTP 502'));
    const other = alertKey('c', {
      rule: 'SERVICE_DOWN',
      severity: 'warning',
      message: 'keepalived on lb2 is down: not running',
      nodes: ['lb2'],
    });
    expect(other).not.toBe(svc('x'));
  });
});

describe('observe', () => {
  it('keys both forms of a split brain by VRRP instance', () => {
    const cluster = (message: string, vip?: string): StatusCluster => ({
      id: 'lab',
      name: 'Lab',
      verdict: 'at_risk',
      nodes: [],
      vips: [{ address: '10.0.0.50', instance: 'VI_1', holders: [], masters: [] }],
      findings: [
        {
          rule: 'SPLIT_BRAIN',
          severity: 'critical',
          message,
          nodes: ['lb1', 'lb2'],
          ...(vip !== undefined && { vip }),
        },
      ],
    });
    const sb1 = observe([cluster('split brain: 10.0.0.50 is held by lb1 and lb2', '10.0.0.50')]);
    const sb2 = observe([
      cluster('split brain: keepalived on lb1 and lb2 all claim MASTER for VI_1'),
    ]);
    expect(sb1[0]?.key).toBe('lab|SPLIT_BRAIN|instance:VI_1');
    expect(sb2[0]?.key).toBe(sb1[0]?.key);
  });
});
