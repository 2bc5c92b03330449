import { describe, expect, it } from 'vitest';
import type { DrillKind, DrillPreflight, StatusCluster, StatusNode } from '@keepwatch/shared';
import { preflight, type PreflightInput } from './preflight';

/*
 * Preflight on hand-made cluster views (the pure function the API and the scheduler call):
 * each refusal names its host and says why, in both languages. Tests named after SPEC.md.
 */

const VIP = '10.77.0.50';

function node(name: string, over: Partial<StatusNode> = {}): StatusNode {
  const lb = name.startsWith('lb');
  return {
    name,
    role: lb ? 'lb' : 'backend',
    online: true,
    vrrp: lb
      ? [
          {
            instance: 'VI_1',
            state: name === 'lb1' ? 'MASTER' : 'BACKUP',
            priority: 100,
            effectivePriority: 100,
          },
        ]
      : [],
    vipsHeld: name === 'lb1' ? [VIP] : [],
    services: lb
      ? { nginx: { healthy: true }, keepalived: { healthy: true } }
      : { tomcat: { healthy: true } },
    clockOffsetMs: 3,
    ...(lb && { keepalivedRunning: true }),
    ...over,
  };
}

function cluster(
  over: Partial<Record<string, Partial<StatusNode>>> = {},
  holders = ['lb1'],
): StatusCluster {
  return {
    id: 'lab',
    name: 'lab',
    verdict: 'healthy',
    findings: [],
    vips: [{ address: VIP, instance: 'VI_1', holders, masters: ['lb1'] }],
    nodes: ['lb1', 'lb2', 'web1', 'web2'].map((n) => node(n, over[n])),
  };
}

function run(
  c: StatusCluster,
  kind: DrillKind = 'nginx-outage',
  over: Partial<PreflightInput> = {},
): DrillPreflight {
  return preflight({
    clusterId: 'lab',
    cluster: c,
    kind,
    options: {},
    control: () => ['drills'],
    busy: undefined,
    clockLimitMs: 200,
    ...over,
  });
}

const failed = (p: DrillPreflight, id: string) => p.checks.filter((c) => c.id === id && !c.ok);

describe('preflight (SPEC.md PF-*)', () => {
  it('PF-1..PF-9: a healthy pair passes with the MASTER as the target', () => {
    const p = run(cluster());
    expect(p.ok, JSON.stringify(p.checks.filter((c) => !c.ok))).toBe(true);
    expect(p.plan).toMatchObject({ vip: VIP, master: 'lb1', targets: ['lb1'] });
  });

  it('PF-2: a VIP in two kernels is a split brain already; in none, nothing to fail over', () => {
    const two = run(cluster({}, ['lb1', 'lb2']));
    expect(two.ok).toBe(false);
    expect(failed(two, 'PF-2')[0]?.text.en).toBe(
      `VIP ${VIP} is in 2 kernels (lb1, lb2): a split brain already`,
    );
    expect(failed(two, 'PF-2')[0]?.text['zh-CN']).toContain('已经脑裂');
    expect(two.plan.targets).toEqual([]);
    const none = run(cluster({}, []));
    expect(failed(none, 'PF-2')[0]?.text.en).toContain('in no kernel');
    const wrong = run(cluster(), 'nginx-outage', { options: { vip: '10.77.0.99' } });
    expect(failed(wrong, 'PF-2')[0]?.text.en).toBe('the cluster has no VIP 10.77.0.99');
  });

  it('PF-3: the holder must be a MASTER with nginx up; its nginx down is named', () => {
    const p = run(
      cluster({ lb1: { services: { nginx: { healthy: false }, keepalived: { healthy: true } } } }),
    );
    const c = failed(p, 'PF-3')[0];
    expect(c?.node).toBe('lb1');
    expect(c?.text.en).toContain('lb1 holds the VIP but is not a healthy MASTER');
    expect(c?.text.en).toContain('nginx down');
  });

  it('PF-4: a BACKUP whose keepalived is not running is named with that reason', () => {
    const p = run(cluster({ lb2: { keepalivedRunning: false } }));
    expect(failed(p, 'PF-4')[0]?.text.en).toBe(
      'lb2 is not a healthy BACKUP: its keepalived is not running',
    );
    expect(failed(p, 'PF-4')[0]?.text['zh-CN']).toBe('lb2 不是健康的 BACKUP：keepalived 未运行');
  });

  it('PF-5: a target whose agent went silent (SA-1) cannot take part, with how long', () => {
    const c = cluster();
    c.findings.push({
      rule: 'AGENT_STALE',
      severity: 'warning',
      message: 'lb1 silent',
      code: 'SA-1',
      args: { node: 'lb1', seconds: 21 },
    });
    const p = run(c);
    const bad = failed(p, 'PF-5')[0];
    expect(bad?.node).toBe('lb1');
    expect(bad?.text.en).toBe(
      'lb1 cannot take part: its agent has sent nothing for 21 s (frozen or cut off)',
    );
  });

  it('PF-5: an explicit MASTER-kind target that is not the MASTER is refused', () => {
    const p = run(cluster(), 'keepalived-stop', { options: { target: 'lb2' } });
    expect(failed(p, 'PF-5')[0]?.text.en).toBe('lb2 is not the MASTER (lb1 is)');
  });

  it('PF-7: an unmeasured or too large clock offset is refused, naming the host', () => {
    const p = run(cluster({ lb2: { clockOffsetMs: null }, lb1: { clockOffsetMs: -450 } }));
    expect(failed(p, 'PF-7').map((c) => [c.node, c.text.en])).toEqual([
      ['lb1', 'lb1: clock off by -450 ms (limit 200 ms)'],
      ['lb2', 'lb2: clock offset not measured yet'],
    ]);
  });

  it('PF-8: a config push running on the cluster is named with who started it', () => {
    const p = run(cluster(), 'nginx-outage', {
      busy: { clusterId: 'lab', kind: 'push', id: 'push-7', by: 'alice', since: 0 },
    });
    expect(failed(p, 'PF-8')[0]?.text.en).toBe(
      'a config push (push-7) started by alice is running on this cluster',
    );
    expect(failed(p, 'PF-8')[0]?.text['zh-CN']).toContain('配置下发');
  });

  it('PF-9: a backend drill needs two healthy backends', () => {
    const p = run(
      cluster({ web2: { services: { tomcat: { healthy: false } } } }),
      'backend-outage',
    );
    expect(failed(p, 'PF-9')[0]?.text.en).toBe(
      'a backend drill needs at least 2 healthy backends, there are 1',
    );
  });
});
