import { describe, expect, it } from 'vitest';
import { vipAvailability, type AvailabilityEvent } from './availability';

const VIP = '10.77.0.50';
const H = 3_600_000;
const now = 100 * 24 * H;
const vip = (ts: number, node: string, action: 'add' | 'remove'): AvailabilityEvent => ({
  ts,
  node,
  type: 'vip.change',
  data: { action, address: { address: VIP, prefix: 24, interface: 'eth0' } },
});
const nginx = (ts: number, node: string, healthy: boolean): AvailabilityEvent => ({
  ts,
  node,
  type: 'service.health',
  data: { service: 'nginx', health: { healthy } },
});
const first = (ts: number, node: string, state: string): AvailabilityEvent => ({
  ts,
  node,
  type: 'snapshot',
  data: {
    vrrp: [{ instance: 'VI_1', state, vips: [VIP] }],
    services: { nginx: { healthy: true } },
  },
});

describe('VIP availability from stored history', () => {
  it('is 1 while a kernel holds the VIP with nginx up; a gap with no holder is down time', () => {
    const events = [
      first(now - 40 * 24 * H, 'lb1', 'MASTER'),
      first(now - 40 * 24 * H, 'lb2', 'BACKUP'),
      vip(now - 2 * H, 'lb1', 'remove'),
      vip(now - 2 * H + 3_000, 'lb2', 'add'),
    ];
    const [d1, d7, d30] = vipAvailability(events, VIP, now);
    expect(d1).toMatchObject({ range: '24h', knownMs: 24 * H, downMs: 3_000, splitMs: 0 });
    expect(d1?.availability).toBeCloseTo(1 - 3_000 / (24 * H), 10);
    expect(d7?.downMs).toBe(3_000);
    expect(d30?.knownMs).toBe(30 * 24 * H);
  });

  it('counts the holder whose nginx is down as down, and two holders as split (up)', () => {
    const events = [
      first(now - 30 * H, 'lb1', 'MASTER'),
      nginx(now - 10 * H, 'lb1', false),
      nginx(now - 9 * H, 'lb1', true),
      vip(now - 5 * H, 'lb2', 'add'),
      vip(now - 4 * H, 'lb2', 'remove'),
    ];
    const [d1] = vipAvailability(events, VIP, now);
    expect(d1).toMatchObject({ downMs: H, splitMs: H, knownMs: 24 * H });
  });

  it('a BACKUP that reports before its MASTER makes no down time: known from the first holder', () => {
    const events = [
      first(now - 2 * H - 5_000, 'lb2', 'BACKUP'),
      first(now - 2 * H, 'lb1', 'MASTER'),
    ];
    const [d1] = vipAvailability(events, VIP, now);
    expect(d1).toMatchObject({ knownMs: 2 * H, downMs: 0, availability: 1 });
  });

  it('time before the first report is unknown, not down; no history at all is null', () => {
    const [d1, d7] = vipAvailability([first(now - 2 * H, 'lb1', 'MASTER')], VIP, now);
    expect(d1).toMatchObject({ knownMs: 2 * H, downMs: 0, availability: 1 });
    expect(d7?.knownMs).toBe(2 * H);
    expect(vipAvailability([], VIP, now)[0]?.availability).toBeNull();
  });

  it('ignores other addresses and other services', () => {
    const other = {
      ...vip(now - H, 'lb1', 'remove'),
      data: { action: 'remove', address: { address: '10.0.0.9' } },
    };
    const tomcat = {
      ...nginx(now - H, 'lb1', false),
      data: { service: 'tomcat', health: { healthy: false } },
    };
    const [d1] = vipAvailability([first(now - 30 * H, 'lb1', 'MASTER'), other, tomcat], VIP, now);
    expect(d1?.downMs).toBe(0);
  });
});
