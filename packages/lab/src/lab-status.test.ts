import { describe, expect, it } from 'vitest';
import type { LabStatus } from './lab';
import { formatStatus } from './lab-status';

const base: LabStatus = {
  prefix: 'kw',
  subnet: '10.77.0',
  scheme: 'master-backup',
  config: 'default',
  baseDir: '/repo/.lab/kw',
  hostIp: '10.77.0.1',
  hostIf: { name: 'kw-host', present: true },
  namespaces: [
    { name: 'kw-sw', present: true },
    { name: 'kw-lb1', present: true },
  ],
  hosts: [
    {
      name: 'lb1',
      role: 'lb',
      ns: 'kw-lb1',
      ip: '10.77.0.11',
      services: {
        keepalived: { running: true, pids: [10, 11] },
        nginx: { running: false, pids: [12] },
      },
      agent: 99,
    },
  ],
  vips: [{ address: '10.77.0.50', instance: 'VI_1', holders: ['lb1'] }],
};

describe('formatStatus', () => {
  it('shows processes, strays and the kernel VIP holder', () => {
    const out = formatStatus(base);
    expect(out).toContain('keepalived running (10,11)');
    expect(out).toContain('nginx stopped (stray 12)');
    expect(out).toContain('agent running (99)');
    expect(out).toContain('VIP 10.77.0.50 (VI_1): held by lb1');
  });

  it('flags two holders as split brain and none as nobody', () => {
    const split = formatStatus({
      ...base,
      vips: [{ address: 'v', instance: 'VI_1', holders: ['lb1', 'lb2'] }],
    });
    expect(split).toContain('lb1 + lb2  (SPLIT BRAIN');
    const none = formatStatus({ ...base, vips: [{ address: 'v', instance: 'VI_1', holders: [] }] });
    expect(none).toContain('held by nobody');
  });
});
