import { describe, expect, it } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import {
  buildEdges,
  mastersIfDifferent,
  sortFindings,
  sortedHolders,
  vipCondition,
  vipsHeldBy,
} from './topology-model';

function node(name: string, role: StatusNode['role'], vipsHeld: string[] = []): StatusNode {
  return {
    name,
    role,
    online: true,
    vrrp: [],
    vipsHeld,
    services: role === 'backend' ? { tomcat: { healthy: name !== 'web2' } } : {},
    clockOffsetMs: 0,
  };
}

const lab: StatusCluster = {
  id: 'lab',
  name: 'lab',
  verdict: 'healthy',
  findings: [],
  vips: [{ address: '10.77.0.50', instance: 'VI_1', holders: ['lb1'], masters: ['lb1'] }],
  nodes: [
    node('web2', 'backend'),
    node('lb2', 'lb'),
    node('web1', 'backend'),
    node('lb1', 'lb', ['10.77.0.50']),
  ],
};

describe('topology model', () => {
  it('sorts findings critical first, keeping server order within a severity', () => {
    const f = (rule: string, severity: 'info' | 'warning' | 'critical') => ({
      rule,
      severity,
      message: rule,
    });
    expect(
      sortFindings([f('a', 'info'), f('b', 'critical'), f('c', 'warning'), f('d', 'critical')]).map(
        (x) => x.rule,
      ),
    ).toEqual(['b', 'd', 'c', 'a']);
  });

  it('classifies VIP holders from the kernel view', () => {
    const vip = { address: 'v', instance: 'i', holders: [], masters: [] };
    expect(vipCondition(vip)).toBe('none');
    expect(vipCondition({ ...vip, holders: ['lb1'] })).toBe('held');
    expect(vipCondition({ ...vip, holders: ['lb2', 'lb1'] })).toBe('split');
    expect(sortedHolders({ ...vip, holders: ['lb2', 'lb1'] })).toEqual(['lb1', 'lb2']);
  });

  it('reports keepalived masters only when they disagree with the kernel', () => {
    const vip = { address: 'v', instance: 'i', holders: ['lb1'], masters: ['lb1'] };
    expect(mastersIfDifferent(vip)).toBeNull();
    expect(mastersIfDifferent({ ...vip, masters: ['lb2', 'lb1'] })).toEqual(['lb1', 'lb2']);
  });

  it('knows which node holds the VIP from either the node or the VIP view', () => {
    const c = { ...lab, nodes: lab.nodes.map((n) => ({ ...n, vipsHeld: [] })) };
    expect(vipsHeldBy(c.nodes[3]!, c)).toEqual(['10.77.0.50']);
    expect(vipsHeldBy(c.nodes[1]!, c)).toEqual([]);
  });

  it('draws the data path only through the holder, red to unhealthy backends', () => {
    const kinds = Object.fromEntries(buildEdges(lab).map((e) => [e.id, e.kind]));
    expect(kinds).toEqual({
      '10.77.0.50>lb1': 'holder',
      '10.77.0.50>lb2': 'standby',
      'lb1>web1': 'traffic',
      'lb1>web2': 'traffic-bad',
      'lb2>web1': 'idle',
      'lb2>web2': 'idle',
    });
  });

  it('marks both holder lines as split brain', () => {
    const split: StatusCluster = {
      ...lab,
      vips: [{ address: '10.77.0.50', instance: 'VI_1', holders: ['lb1', 'lb2'], masters: [] }],
    };
    const kinds = buildEdges(split)
      .filter((e) => e.from.startsWith('vip:'))
      .map((e) => e.kind);
    expect(kinds).toEqual(['split', 'split']);
  });
});
