import { describe, expect, it } from 'vitest';
import type { StatusCluster, StatusNode } from '@keepwatch/shared';
import { dialogOptions, type DialogChoice } from './dialog-model';

const node = (name: string, role: StatusNode['role'], online = true): StatusNode =>
  ({ name, role, online }) as StatusNode;
const cluster = {
  id: 'lab',
  name: 'lab',
  nodes: [
    node('lb2', 'lb'),
    node('lb1', 'lb'),
    node('web1', 'backend'),
    node('web2', 'backend', false),
  ],
} as StatusCluster;
const choice = (over: Partial<DialogChoice>): DialogChoice => ({
  kind: 'nginx-outage',
  holdSeconds: 12,
  target: '',
  probeFrom: '',
  ...over,
});

describe('drill dialog options (dialog-model.ts)', () => {
  it('DL-1: the default hold is not sent; others are clamped to 2–120 s', () => {
    expect(dialogOptions(cluster, choice({})).options).toEqual({});
    expect(dialogOptions(cluster, choice({ holdSeconds: 1 })).options).toEqual({ holdMs: 2000 });
    expect(dialogOptions(cluster, choice({ holdSeconds: 500 })).options).toEqual({
      holdMs: 120_000,
    });
    expect(dialogOptions(cluster, choice({ holdSeconds: 7.5 })).options).toEqual({ holdMs: 7500 });
    expect(dialogOptions(cluster, choice({ holdSeconds: Number.NaN })).options).toEqual({});
  });

  it('DL-2: the fault host choice follows the kind', () => {
    expect(dialogOptions(cluster, choice({})).targets).toEqual(['lb1', 'lb2']);
    expect(dialogOptions(cluster, choice({ kind: 'backend-outage' })).targets).toEqual([
      'web1',
      'web2',
    ]);
    expect(dialogOptions(cluster, choice({ kind: 'all-backends-down' })).targets).toEqual([]);
    expect(dialogOptions(cluster, choice({ kind: 'vrrp-partition' })).targets).toEqual([]);
    expect(dialogOptions(cluster, choice({ target: 'lb2' })).options).toEqual({ target: 'lb2' });
    // a host that does not fit the kind is not sent
    expect(dialogOptions(cluster, choice({ target: 'web1' })).options).toEqual({});
  });

  it('DL-3: the probe runs on the server unless an online host is picked', () => {
    const r = dialogOptions(cluster, choice({ probeFrom: 'web1' }));
    expect(r.probeHosts).toEqual(['lb1', 'lb2', 'web1']);
    expect(r.options).toEqual({ probeFrom: 'web1' });
    expect(dialogOptions(cluster, choice({ probeFrom: 'web2' })).options).toEqual({});
  });
});
