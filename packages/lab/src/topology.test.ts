import { describe, expect, it } from 'vitest';
import { buildTopology } from './topology';

describe('buildTopology', () => {
  it('derives the reference layout from prefix and subnet', () => {
    const t = buildTopology({ prefix: 'kw', subnet: '10.77.0', scheme: 'master-backup' });
    expect(t.hosts.map((h) => [h.name, h.role, h.ns, h.ip])).toEqual([
      ['lb1', 'lb', 'kw-lb1', '10.77.0.11'],
      ['lb2', 'lb', 'kw-lb2', '10.77.0.12'],
      ['web1', 'backend', 'kw-web1', '10.77.0.21'],
      ['web2', 'backend', 'kw-web2', '10.77.0.22'],
    ]);
    expect(t.vips).toEqual(['10.77.0.50']);
    expect(t.hostIp).toBe('10.77.0.1');
    expect(t.bridgeNs).toBe('kw-sw');
    expect(t.hostIf).toBe('kw-host');
  });

  it('dual-master adds VI_2 on .51 with lb2 preferred', () => {
    const t = buildTopology({ prefix: 'kwt', subnet: '10.79.0', scheme: 'dual-master' });
    expect(t.vrrp).toEqual([
      { name: 'VI_1', vrid: 51, vip: '10.79.0.50', priorities: { lb1: 100, lb2: 90 } },
      { name: 'VI_2', vrid: 52, vip: '10.79.0.51', priorities: { lb1: 90, lb2: 100 } },
    ]);
  });

  it('rejects prefixes that would overflow an interface name, and bad subnets', () => {
    expect(() =>
      buildTopology({ prefix: 'waytoolongprefix', subnet: '10.77.0', scheme: 'master-backup' }),
    ).toThrow();
    expect(() =>
      buildTopology({ prefix: 'kw-1', subnet: '10.77.0', scheme: 'master-backup' }),
    ).toThrow();
    expect(() =>
      buildTopology({ prefix: 'kw', subnet: '10.77.0.0', scheme: 'master-backup' }),
    ).toThrow();
    expect(() =>
      buildTopology({ prefix: 'kw', subnet: '10.777.0', scheme: 'master-backup' }),
    ).toThrow();
  });
});
