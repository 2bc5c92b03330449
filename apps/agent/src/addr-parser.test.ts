import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffAddresses, linkChanges, parseIpJsonAddr, parseMonitorLine } from './addr-parser';

const sample = readFileSync(
  fileURLToPath(new URL('./testdata/ip-addr-lb1.json', import.meta.url)),
  'utf8',
);

describe('parseIpJsonAddr', () => {
  it('lists every non-loopback IPv4 address with prefix and interface', () => {
    expect(parseIpJsonAddr(sample)).toEqual([
      { address: '10.77.0.11', prefix: 24, interface: 'eth0' },
      { address: '10.77.0.50', prefix: 24, interface: 'eth0' },
    ]);
  });
  it('VH-6: marks addresses on a link that is down (admin down or no carrier), not on UNKNOWN', () => {
    const link = (ifname: string, flags: string[], operstate: string, local: string): unknown => ({
      ifname,
      flags,
      operstate,
      addr_info: [{ family: 'inet', local, prefixlen: 24 }],
    });
    const text = JSON.stringify([
      link('eth0', ['BROADCAST', 'MULTICAST'], 'DOWN', '10.77.0.50'),
      link('eth1', ['BROADCAST', 'MULTICAST', 'UP'], 'LOWERLAYERDOWN', '10.78.0.50'),
      link('eth2', ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], 'UP', '10.79.0.50'),
      link('tun0', ['POINTOPOINT', 'UP', 'LOWER_UP'], 'UNKNOWN', '10.80.0.1'),
    ]);
    expect(parseIpJsonAddr(text)).toEqual([
      { address: '10.77.0.50', prefix: 24, interface: 'eth0', linkDown: true },
      { address: '10.78.0.50', prefix: 24, interface: 'eth1', linkDown: true },
      { address: '10.79.0.50', prefix: 24, interface: 'eth2' },
      { address: '10.80.0.1', prefix: 24, interface: 'tun0' },
    ]);
  });
  it('throws on non-JSON so the caller keeps its previous view', () => {
    expect(() => parseIpJsonAddr('Device "x" does not exist.')).toThrow();
  });
});

describe('diffAddresses', () => {
  it('reports the VIP moving in and out', () => {
    const base = parseIpJsonAddr(sample);
    const without = base.filter((a) => a.address !== '10.77.0.50');
    expect(diffAddresses(without, base)).toEqual({
      added: [{ address: '10.77.0.50', prefix: 24, interface: 'eth0' }],
      removed: [],
    });
    expect(diffAddresses(base, without).removed).toHaveLength(1);
    expect(diffAddresses(base, base)).toEqual({ added: [], removed: [] });
  });
  it('VH-6: a link going down under an address is a link change, not an add or a remove', () => {
    const base = parseIpJsonAddr(sample);
    const down = base.map((a) => ({ ...a, linkDown: true as const }));
    expect(diffAddresses(base, down)).toEqual({ added: [], removed: [] });
    expect(linkChanges(base, down)).toEqual(down);
    expect(linkChanges(down, base)).toEqual(base);
    expect(linkChanges(base, base)).toEqual([]);
  });
});

describe('parseMonitorLine', () => {
  it('parses add and delete lines, with and without -ts', () => {
    expect(
      parseMonitorLine(
        '2: eth0    inet 10.88.0.50/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever',
      ),
    ).toEqual({
      action: 'add',
      interface: 'eth0',
      family: 'inet',
      address: '10.88.0.50',
      prefix: 24,
    });
    expect(
      parseMonitorLine(
        '[2026-11-24T18:56:23.169214] Deleted 2: eth0    inet 10.88.0.50/24 scope global secondary eth0\\       valid_lft forever',
      ),
    ).toMatchObject({ action: 'remove', address: '10.88.0.50' });
    expect(
      parseMonitorLine('Deleted 1: lo    inet 10.99.99.1/32 scope global lo\\ valid_lft forever'),
    ).toMatchObject({
      action: 'remove',
      interface: 'lo',
    });
  });
  it('returns undefined for other lines', () => {
    expect(parseMonitorLine('garbage')).toBeUndefined();
  });
});
