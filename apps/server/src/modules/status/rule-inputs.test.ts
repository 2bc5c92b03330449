import { describe, expect, it } from 'vitest';
import type { AgentDataMessage, AgentHello } from '@keepwatch/shared';
import { ClusterStore } from './cluster-store';

/* The store feeds the time and configuration rules (SPEC T-2, C-1) what they need. */

const identity = (name: string): AgentHello['node'] => ({
  name,
  role: 'lb',
  cluster: { id: 'lab', name: 'LAB' },
});
const VIP = '10.77.0.50';

function conf(state: string, priority: number): string {
  return `vrrp_script chk_nginx {\n script "/bin/true"\n weight -5\n}\nvrrp_instance VI_1 {\n state ${state}\n interface eth0\n virtual_router_id 51\n priority ${priority}\n virtual_ipaddress {\n ${VIP}/24\n }\n track_script {\n chk_nginx\n }\n}\n`;
}

const configObserved = (seq: number, content: string): AgentDataMessage => ({
  type: 'config.observed',
  seq,
  ts: seq,
  config: {
    component: 'keepalived',
    path: '/etc/keepalived/keepalived.conf',
    content,
    checkedAt: seq,
  },
});

const snap = (state: 'MASTER' | 'BACKUP', holds: boolean): AgentDataMessage => ({
  type: 'snapshot',
  seq: 1,
  ts: 1,
  vrrp: [{ instance: 'VI_1', state, priority: 100, effectivePriority: 100, vips: [VIP] }],
  addresses: holds ? [{ address: VIP, prefix: 24, interface: 'eth0' }] : [],
  services: {},
  keepalivedRunning: true,
});

describe('status store → rule inputs', () => {
  it('C-1: config.observed keepalived.conf feeds WEIGHT_TOO_SMALL and the metrics interface', () => {
    const store = new ClusterStore(() => 0);
    store.hello('a1', identity('lb1'), 0);
    store.hello('a2', identity('lb2'), 0);
    store.apply('a1', configObserved(2, conf('MASTER', 100)), 0);
    store.apply('a2', configObserved(2, conf('BACKUP', 90)), 0);
    expect(store.cluster('lab')?.findings.map((f) => f.message)).toContain(
      'VI_1: a failed chk_nginx lowers lb1 to 95 but lb2 has 90: lb2 can never take over',
    );
    expect(store.vrrpInterface('lab', 'lb1', 'VI_1')).toBe('eth0');
  });

  it('T-2: any frame (pong via seen) keeps an agent fresh; silence makes it AGENT_STALE', () => {
    let now = 0;
    const store = new ClusterStore(() => now);
    store.hello('a1', identity('lb1'), 0);
    store.apply('a1', snap('MASTER', true), 0);
    now = 14_000;
    store.seen('a1', 14_000);
    now = 20_000;
    expect(store.cluster('lab')?.findings.map((f) => f.rule)).not.toContain('AGENT_STALE');
    now = 29_001;
    expect(store.cluster('lab')?.findings.map((f) => f.rule)).toContain('AGENT_STALE');
  });

  it('SB-3: a cut-off MASTER is no split brain while silent; its next pong confirms one at once', () => {
    let now = 100;
    const store = new ClusterStore(() => now);
    store.hello('a1', identity('lb1'), 0);
    store.hello('a2', identity('lb2'), 0);
    store.apply('a1', snap('MASTER', true), 100);
    store.apply('a2', snap('BACKUP', false), 100);
    // lb1 goes silent (its link, and its agent's connection, down); lb2 takes over at 3000.
    now = 3000;
    store.apply(
      'a2',
      {
        type: 'vrrp.transition',
        seq: 2,
        ts: 3000,
        instance: 'VI_1',
        state: 'MASTER',
        effectivePriority: 100,
        source: 'fifo',
      },
      3000,
    );
    store.apply(
      'a2',
      {
        type: 'vip.change',
        seq: 3,
        ts: 3000,
        action: 'add',
        address: { address: VIP, prefix: 24, interface: 'eth0' },
      },
      3000,
    );
    const rulesNow = (): string[] => store.cluster('lab')?.findings.map((f) => f.rule) ?? [];
    expect(store.cluster('lab')?.vips[0]?.holders).toEqual(['lb1', 'lb2']);
    expect(rulesNow()).not.toContain('SPLIT_BRAIN');
    // lb1 speaks again still holding the VIP: a pong is enough to derive the split brain.
    now = 4000;
    store.seen('a1', 4000);
    expect(rulesNow()).toContain('SPLIT_BRAIN');
  });

  it('T-2: VRRP state changes are remembered for FLAPPING', () => {
    let now = 0;
    const store = new ClusterStore(() => now);
    store.hello('a1', identity('lb1'), 0);
    store.apply('a1', snap('MASTER', true), 0);
    const states = ['BACKUP', 'MASTER', 'BACKUP', 'MASTER'] as const;
    states.forEach((state, i) => {
      store.apply(
        'a1',
        {
          type: 'vrrp.transition',
          seq: 2 + i,
          ts: 1000 * (i + 1),
          instance: 'VI_1',
          state,
          effectivePriority: 100,
          source: 'fifo',
        },
        0,
      );
    });
    now = 5000;
    expect(store.cluster('lab')?.findings.map((f) => f.message)).toContain(
      'VI_1 on lb1 changed state 4 times in 5 min',
    );
    now = 1000 + 5 * 60_000;
    expect(store.cluster('lab')?.findings.map((f) => f.rule)).not.toContain('FLAPPING');
  });
});
