import { describe, expect, it } from 'vitest';
import { deriveCluster } from './cluster-status';
import type { NodeView, VrrpView } from './node-view';

const VIP = '10.77.0.50';
const ok = { healthy: true };
const down = { healthy: false, detail: 'connect ECONNREFUSED' };

function vrrp(state: VrrpView['state'], priority = 100, instance = 'VI_1', vips = [VIP]): VrrpView {
  return { instance, state, priority, effectivePriority: priority, vrid: 51, vips };
}

function lb(name: string, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    role: 'lb',
    online: true,
    vrrp: [vrrp('BACKUP', 90)],
    addresses: [],
    services: { nginx: ok, keepalived: ok },
    keepalivedRunning: true,
    clockOffsetMs: 0,
    ...over,
  };
}

function backend(name: string, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    role: 'backend',
    online: true,
    vrrp: [],
    addresses: [],
    services: { tomcat: ok },
    clockOffsetMs: 0,
    ...over,
  };
}

const master = (name = 'lb1', over: Partial<NodeView> = {}): NodeView =>
  lb(name, { vrrp: [vrrp('MASTER')], addresses: ['10.77.0.11', VIP], ...over });

function derive(nodes: NodeView[], knownVips: [string, string][] = []) {
  return deriveCluster({ id: 'c1', name: 'C1', nodes, knownVips: new Map(knownVips), now: 1000 });
}
const rules = (c: ReturnType<typeof derive>) => c.findings.map((f) => f.rule).sort();

describe('cluster status derivation', () => {
  it('V-2: a normal master/backup pair is healthy', () => {
    const c = derive([lb('lb2'), master('lb1'), backend('web1')]);
    expect(c.verdict).toBe('healthy');
    expect(c.findings).toEqual([]);
    expect(c.vips).toEqual([
      { address: VIP, instance: 'VI_1', holders: ['lb1'], masters: ['lb1'] },
    ]);
    expect(c.nodes.map((n) => n.name)).toEqual(['lb1', 'lb2', 'web1']);
    expect(c.nodes[0]?.vipsHeld).toEqual([VIP]);
  });

  it('VH-1: holders come from the kernel, not from keepalived', () => {
    const c = derive([lb('lb1', { vrrp: [vrrp('MASTER')] }), lb('lb2', { addresses: [VIP] })]);
    expect(c.vips[0]?.holders).toEqual(['lb2']);
    expect(c.vips[0]?.masters).toEqual(['lb1']);
  });

  it('VH-6: a VIP left on an interface that is down is no holder, so no split brain', () => {
    const c = derive([
      lb('lb1', { vrrp: [vrrp('FAULT')], addresses: [VIP], downLinkAddresses: [VIP] }),
      master('lb2', { addresses: [VIP] }),
    ]);
    expect(c.vips[0]?.holders).toEqual(['lb2']);
    expect(c.nodes.find((n) => n.name === 'lb1')?.vipsHeld).toEqual([]);
    expect(rules(c)).not.toContain('SPLIT_BRAIN');
    // The same two copies with lb1's link up are a split brain (SB-1).
    const up = derive([
      lb('lb1', { vrrp: [vrrp('FAULT')], addresses: [VIP] }),
      master('lb2', { addresses: [VIP] }),
    ]);
    expect(up.vips[0]?.holders).toEqual(['lb1', 'lb2']);
    expect(rules(up)).toContain('SPLIT_BRAIN');
  });

  it('VH-3: a remembered VIP is still reported when no keepalived configures it', () => {
    const dead = { keepalivedRunning: false, vrrp: [] };
    const c = derive([lb('lb1', dead), lb('lb2', dead)], [[VIP, 'VI_1']]);
    expect(c.vips.map((v) => v.address)).toEqual([VIP]);
    expect(rules(c)).toContain('VIP_UNSERVED');
  });

  it('SB-1: a VIP in two kernels is a split brain naming both holders', () => {
    const c = derive([master('lb1'), master('lb2', { addresses: [VIP] })]);
    const f = c.findings.find((x) => x.rule === 'SPLIT_BRAIN');
    expect(f?.severity).toBe('critical');
    expect(f?.message).toContain('lb1 and lb2');
    expect(f?.nodes).toEqual(['lb1', 'lb2']);
    expect(c.verdict).toBe('at_risk');
  });

  it('SB-2: two keepalived MASTERs with one holder is a split brain', () => {
    const c = derive([master('lb1'), lb('lb2', { vrrp: [vrrp('MASTER', 90)] })]);
    expect(c.findings.filter((f) => f.rule === 'SPLIT_BRAIN')).toHaveLength(1);
    expect(c.verdict).toBe('at_risk');
  });

  it('SB-3: a MASTER not heard from since the other took over (cut off by its link) is no split brain until it speaks', () => {
    // lb1's last frame (t 500) predates lb2's takeover (t 800): its link went down with its
    // agent's connection, so its report (MASTER, VIP in the kernel) is of before the takeover.
    const cutOff = master('lb1', { vrrp: [{ ...vrrp('MASTER'), since: 0 }], lastSeen: 500 });
    const taken = master('lb2', {
      vrrp: [{ ...vrrp('MASTER', 90), since: 800 }],
      addresses: [VIP],
      lastSeen: 900,
    });
    const c = derive([cutOff, taken]);
    expect(c.vips[0]?.holders).toEqual(['lb1', 'lb2']);
    expect(rules(c)).not.toContain('SPLIT_BRAIN');
    // Heard from after the takeover and still holding it: a split brain (SB-1).
    const spoke = derive([{ ...cutOff, lastSeen: 850 }, taken]);
    expect(spoke.findings.filter((f) => f.rule === 'SPLIT_BRAIN').map((f) => f.code)).toEqual([
      'SB-1',
    ]);
  });

  it('SB-3: two MASTERs both heard from after the takeover stay a split brain (vrrp partition, SB-2)', () => {
    const lb1 = lb('lb1', { vrrp: [{ ...vrrp('MASTER'), since: 0 }], lastSeen: 950 });
    const lb2 = master('lb2', { vrrp: [{ ...vrrp('MASTER', 90), since: 800 }], lastSeen: 900 });
    expect(derive([lb1, lb2]).findings.map((f) => f.code)).toContain('SB-2');
    // lb1 silent since before lb2's takeover: its MASTER claim is of before it.
    expect(rules(derive([{ ...lb1, lastSeen: 700 }, lb2]))).not.toContain('SPLIT_BRAIN');
  });

  it("SB-3: a crashed keepalived's stale VIP is a split brain once its agent is heard from after the takeover", () => {
    const crashed = lb('lb1', {
      vrrp: [vrrp('MASTER')],
      keepalivedRunning: false,
      addresses: [VIP],
      lastSeen: 700,
    });
    const taken = master('lb2', {
      vrrp: [{ ...vrrp('MASTER', 90), since: 800 }],
      addresses: [VIP],
      lastSeen: 900,
    });
    expect(rules(derive([crashed, taken]))).not.toContain('SPLIT_BRAIN');
    const later = derive([{ ...crashed, lastSeen: 820 }, taken]);
    expect(later.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['SB-1', 'ST-1']));
    // The takeover time is the agent's clock moved to the server's: lb2 runs 300 ms ahead, so
    // its since 800 is 500 on the server clock, before lb1's last frame at 700.
    const skewed = derive([crashed, { ...taken, clockOffsetMs: 300 }]);
    expect(skewed.findings.map((f) => f.code)).toContain('SB-1');
  });

  it('VU-1: a known VIP held by nobody is down', () => {
    const c = derive([lb('lb1', { vrrp: [vrrp('MASTER')] }), lb('lb2')]);
    expect(rules(c)).toContain('VIP_UNSERVED');
    expect(c.verdict).toBe('down');
  });

  it('VU-2: a VIP last seen on an offline node is unverified, not down', () => {
    const c = derive([master('lb1', { online: false }), lb('lb2')]);
    expect(rules(c)).toContain('VIP_UNVERIFIED');
    expect(rules(c)).not.toContain('VIP_UNSERVED');
    expect(c.vips[0]?.holders).toEqual([]);
  });

  it('NM-1: no MASTER for an instance while lbs are online is critical', () => {
    const c = derive([lb('lb1', { addresses: [VIP] }), lb('lb2')]);
    const f = c.findings.find((x) => x.rule === 'NO_MASTER');
    expect(f?.severity).toBe('critical');
    expect(['at_risk', 'down']).toContain(c.verdict);
  });

  it('ST-1: a crashed keepalived whose kernel keeps the VIP is flagged (keepalived-lab §11)', () => {
    const crashed = master('lb1', {
      keepalivedRunning: false,
      services: { nginx: ok, keepalived: down },
    });
    const c = derive([crashed, master('lb2', { addresses: [VIP] })]);
    const f = c.findings.find((x) => x.rule === 'STALE_VIP');
    expect(f?.message).toBe(
      'keepalived on lb1 is not running but its kernel still holds 10.77.0.50',
    );
    expect(f?.severity).toBe('critical');
    expect(c.vips[0]?.holders).toEqual(['lb1', 'lb2']);
    expect(c.vips[0]?.masters).toEqual(['lb2']);
    expect(rules(c)).toEqual(['NO_FAILOVER_PEER', 'SPLIT_BRAIN', 'STALE_VIP']);
    expect(c.verdict).toBe('at_risk');
  });

  it('ST-2: a kernel holding the VIP while keepalived says BACKUP is flagged', () => {
    const c = derive([master('lb1'), lb('lb2', { addresses: [VIP] })]);
    const f = c.findings.find((x) => x.rule === 'VIP_WITHOUT_MASTER');
    expect(f?.nodes).toEqual(['lb2']);
    expect(f?.message).toContain('BACKUP');
    expect(c.verdict).toBe('at_risk');
  });

  it('MN-1: nginx down on the VIP holder is critical and down', () => {
    const c = derive([master('lb1', { services: { nginx: down, keepalived: ok } }), lb('lb2')]);
    const f = c.findings.find((x) => x.rule === 'MASTER_NGINX_DOWN');
    expect(f?.severity).toBe('critical');
    expect(c.verdict).toBe('down');
  });

  it('NF-1: a single lb able to serve has no failover peer', () => {
    const c = derive([master('lb1'), lb('lb2', { vrrp: [vrrp('FAULT', 90)] })]);
    expect(rules(c)).toEqual(['NO_FAILOVER_PEER']);
    expect(c.verdict).toBe('at_risk');
  });

  it('AO-1: an offline agent degrades the cluster', () => {
    const c = derive([master('lb1'), lb('lb2'), backend('web1', { online: false })]);
    expect(rules(c)).toEqual(['AGENT_OFFLINE']);
    expect(c.verdict).toBe('degraded');
    expect(c.nodes.find((n) => n.name === 'web1')?.online).toBe(false);
  });

  it('SD-1: nginx down on the backup degrades the cluster and leaves no peer', () => {
    const c = derive([master('lb1'), lb('lb2', { services: { nginx: down, keepalived: ok } })]);
    expect(rules(c)).toEqual(['NO_FAILOVER_PEER', 'SERVICE_DOWN']);
  });

  it('SD-2: keepalived down on the backup is a service down', () => {
    const c = derive([master('lb1'), lb('lb2', { keepalivedRunning: false })]);
    expect(c.findings.find((f) => f.rule === 'SERVICE_DOWN')?.message).toContain(
      'keepalived on lb2',
    );
  });

  it('SD-3: one backend tomcat down degrades the cluster', () => {
    const c = derive([
      master('lb1'),
      lb('lb2'),
      backend('web1', { services: { tomcat: down } }),
      backend('web2'),
    ]);
    expect(rules(c)).toEqual(['SERVICE_DOWN']);
    expect(c.verdict).toBe('degraded');
  });

  it('BD-1: every backend down is down', () => {
    const t = { services: { tomcat: down } };
    const c = derive([master('lb1'), lb('lb2'), backend('web1', t), backend('web2', t)]);
    expect(rules(c)).toContain('BACKENDS_DOWN');
    expect(c.verdict).toBe('down');
  });

  it('CS-1: a clock more than 500 ms off is a warning', () => {
    const c = derive([master('lb1', { clockOffsetMs: -812.4 }), lb('lb2', { clockOffsetMs: 499 })]);
    const f = c.findings.find((x) => x.rule === 'CLOCK_SKEW');
    expect(f?.message).toBe("the clock of lb1 is 812 ms behind the server's");
    expect(c.findings).toHaveLength(1);
    expect(c.verdict).toBe('degraded');
  });

  it('ND-1: nothing online is unknown', () => {
    const c = derive([master('lb1', { online: false }), lb('lb2', { online: false })]);
    expect(c.verdict).toBe('unknown');
    expect(rules(c)).toContain('NO_DATA');
  });

  it('ND-2: only backends online is unknown', () => {
    const c = derive([master('lb1', { online: false }), backend('web1')]);
    expect(c.verdict).toBe('unknown');
  });

  it('V-1: the worst implied verdict wins and findings are sorted critical first', () => {
    const c = derive([
      master('lb1', { services: { nginx: down, keepalived: ok }, clockOffsetMs: 900 }),
      lb('lb2'),
    ]);
    expect(c.verdict).toBe('down');
    expect(c.findings[0]?.severity).toBe('critical');
  });

  it('dual-master: two instances, two VIPs, each lb MASTER of one, is healthy', () => {
    const VIP2 = '10.77.0.51';
    const lb1 = lb('lb1', {
      vrrp: [vrrp('MASTER', 100), vrrp('BACKUP', 90, 'VI_2', [VIP2])],
      addresses: [VIP],
    });
    const lb2 = lb('lb2', {
      vrrp: [vrrp('BACKUP', 90), vrrp('MASTER', 100, 'VI_2', [VIP2])],
      addresses: [VIP2],
    });
    const c = derive([lb2, lb1]);
    expect(c.verdict).toBe('healthy');
    expect(c.vips.map((v) => [v.address, v.holders])).toEqual([
      [VIP, ['lb1']],
      [VIP2, ['lb2']],
    ]);
  });
});

describe('the panel never lies', () => {
  it('NL-1: a node whose keepalived is not running reports UNKNOWN, its last state as lastKnown', () => {
    const crashed = master('lb1', {
      keepalivedRunning: false,
      vrrp: [{ ...vrrp('MASTER'), since: 400 }],
    });
    const c = derive([crashed, master('lb2', { addresses: [VIP] })]);
    const lb1 = c.nodes.find((n) => n.name === 'lb1');
    expect(lb1?.vrrp[0]).toMatchObject({
      state: 'UNKNOWN',
      lastKnown: { state: 'MASTER', since: 400 },
    });
    expect(lb1?.keepalivedRunning).toBe(false);
    // The kernel's view is kept: lb1 still holds the VIP (ST-1 says why that matters).
    expect(lb1?.vipsHeld).toEqual([VIP]);
    expect(JSON.stringify(lb1?.vrrp)).not.toContain('"state":"MASTER","priority"');
  });

  it('NL-1: an unhealthy keepalived service counts as not running, a live one is untouched', () => {
    const unreadable = master('lb1', {
      keepalivedRunning: undefined,
      services: { nginx: ok, keepalived: down },
    });
    const c = derive([unreadable, lb('lb2')]);
    expect(c.nodes[0]?.vrrp[0]?.state).toBe('UNKNOWN');
    expect(c.nodes[1]?.vrrp[0]).toEqual(expect.objectContaining({ state: 'BACKUP' }));
    expect(c.nodes[1]?.vrrp[0]?.lastKnown).toBeUndefined();
  });

  it('NL-2: findings carry their rule ID and the facts of their message', () => {
    const crashed = master('lb1', { keepalivedRunning: false });
    const c = derive([crashed, master('lb2', { addresses: [VIP] })]);
    const st1 = c.findings.find((f) => f.rule === 'STALE_VIP');
    expect(st1).toMatchObject({ code: 'ST-1', args: { node: 'lb1', vip: VIP } });
    const sb1 = c.findings.find((f) => f.rule === 'SPLIT_BRAIN');
    expect(sb1).toMatchObject({ code: 'SB-1', args: { vip: VIP, holders: ['lb1', 'lb2'] } });
    for (const f of c.findings) expect(f.code).toMatch(/^[A-Z]{2}-\d$/);
  });
});
