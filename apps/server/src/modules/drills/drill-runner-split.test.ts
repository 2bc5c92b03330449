import { describe, expect, it } from 'vitest';
import {
  at,
  cluster,
  finish,
  harness,
  nginxOutage,
  useFakeDrillClock,
  vip,
  T0,
  type Harness,
} from './drill-runner-harness';

/* Split brain and the downed link during a drill (SPEC SB-*, EV-3, EV-4) on the scripted cluster. */

useFakeDrillClock();

describe('DrillRunner split brain', () => {
  it('SB-1: a 1 ms takeover overlap is no split brain; two holders for 500 ms are', async () => {
    const h = harness('nginx-outage');
    nginxOutage(h);
    await finish(h);
    expect(h.saved.at(-1)?.splitBrainSeen).toBe(false);
    const h2 = harness('vrrp-partition', {}, { targets: ['lb1', 'lb2'] });
    at(3000, () => {
      vip(h2, 'lb2', 'vip-add');
      h2.state.cluster = cluster(['lb1', 'lb2'], 'MASTER', 'MASTER');
    });
    at(8500, () => {
      vip(h2, 'lb2', 'vip-del');
      h2.state.cluster = cluster(['lb1']);
    });
    expect(await finish(h2)).toBe('passed');
    const r = h2.saved.at(-1);
    expect(r?.splitBrainSeen).toBe(true);
    expect(r?.findings.map((f) => f.code)).toContain('split-brain');
    expect(r?.advice.map((a) => a.id)).toContain('higher-prio-send-advert');
  });

  it('EV-3: a keepalived crash that leaves the VIP in the dead kernel is a finding, never a pass', async () => {
    const h = harness('keepalived-crash');
    at(20, () => (h.state.serving = null));
    at(3600, () => {
      h.runner.addTransition({ at: Date.now(), node: 'lb2', kind: 'vrrp', detail: 'MASTER 90' });
      vip(h, 'lb2', 'vip-add');
      h.state.cluster = cluster(['lb1', 'lb2'], 'UNKNOWN', 'MASTER');
      h.state.serving = 'lb2';
    });
    at(8100, () => {
      vip(h, 'lb1', 'vip-del');
      h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    });
    at(11_800, () => {
      vip(h, 'lb1', 'vip-add');
      vip(h, 'lb2', 'vip-del');
      h.state.cluster = cluster(['lb1']);
      h.state.serving = 'lb1';
    });
    expect(await finish(h)).toBe('failed');
    const r = h.saved.at(-1);
    expect(r?.findings.find((f) => f.code === 'stale-vip')?.severity).toBe('critical');
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(false);
    expect(r?.newMaster).toBe('lb2');
    expect(r?.restored).toBe(true);
  });

  /**
   * The lab's link-down on lb1: its agent is cut off with the link (the restore cannot reach
   * it), the server's view keeps lb1's last report (VIP held) while lb2 takes over; when the
   * link is back the agent's outbox replays what happened meanwhile. `held`: keepalived
   * removed the VIP 40 ms after the link went down (what the lab shows), the VIP stayed until
   * after the link was up, or it stayed with both kernels holding it once the link was up.
   */
  function linkDown(h: Harness, held: 'removed' | 'kept' | 'kept-after-up'): void {
    const faultAt = T0 + 1500;
    at(5, () => (h.state.serving = null));
    at(3000, () => {
      vip(h, 'lb2', 'vip-add');
      h.state.cluster = cluster(['lb1', 'lb2'], 'MASTER', 'MASTER');
      h.state.serving = 'lb2';
    });
    at(8600, () => {
      h.runner.linkReport('lb1', true, faultAt + 2);
      const del = (t: number) =>
        h.runner.addTransition({ at: t, node: 'lb1', kind: 'vip-del', detail: '10.77.0.50' });
      if (held === 'removed') del(faultAt + 40);
      h.runner.linkReport('lb1', false, faultAt + 8001);
      if (held === 'kept') del(faultAt + 8050);
      if (held !== 'kept-after-up') h.state.cluster = cluster(['lb2'], 'BACKUP', 'MASTER');
    });
    at(11_700, () => {
      vip(h, 'lb1', 'vip-add');
      vip(h, 'lb2', 'vip-del');
      h.state.cluster = cluster(['lb1']);
      h.state.serving = 'lb1';
    });
  }

  const cutOff = {
    restore: (node: string) =>
      Promise.resolve(node === 'lb1' ? { ok: false, error: 'timeout' } : { ok: true }),
  };

  it('SB-2/EV-4: a cut-off MASTER whose keepalived removed the VIP is no second holder: passed', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'removed');
    expect(await finish(h)).toBe('passed');
    const r = h.saved.at(-1);
    expect(r?.transitions.some((x) => x.kind === 'split-brain')).toBe(false);
    expect(r?.splitBrainSeen).toBe(false);
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    const link = r?.transitions.find((x) => x.kind === 'link-down');
    expect(link).toMatchObject({ node: 'lb1', at: r?.faultAt });
    expect(link?.detail).toContain("lb1's eth0 is down");
    const f = r?.findings.find((x) => x.code === 'vip-removed-on-link-down');
    expect(f?.text.en).toContain(
      'keepalived on lb1 removed the VIP 0.040 s after its link went down',
    );
    expect(f?.text['zh-CN']).toContain('移除了 VIP');
    expect(r?.findings.map((x) => x.code)).not.toContain('vip-on-downed-link');
    expect(r?.newMaster).toBe('lb2');
  });

  it('SB-2/EV-4: a VIP left on the downed link until the link is back is a finding, no split', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'kept');
    expect(await finish(h)).toBe('passed');
    const r = h.saved.at(-1);
    expect(r?.transitions.some((x) => x.kind === 'split-brain')).toBe(false);
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(true);
    const f = r?.findings.find((x) => x.code === 'vip-on-downed-link');
    expect(f?.severity).toBe('warning');
    expect(f?.text.en).toContain("on lb1's downed link for 8.001 s, until the link was back");
    expect(f?.text['zh-CN']).toContain('已断开的网卡');
  });

  it('SB-2: once the link is back, two live holders for 500 ms are a split brain again', async () => {
    const h = harness('link-down', cutOff);
    linkDown(h, 'kept-after-up');
    expect(await finish(h)).toBe('failed');
    const r = h.saved.at(-1);
    expect(r?.transitions.find((x) => x.kind === 'split-brain')?.detail).toContain('lb1, lb2');
    expect(r?.criteria.find((c) => c.id === 'no-split')?.ok).toBe(false);
  });
});
