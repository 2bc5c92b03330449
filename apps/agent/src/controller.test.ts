import { describe, expect, it } from 'vitest';
import { Controller } from './controller';
import type { FifoLine } from './fifo-line-parser';
import type { DumpInstance } from './keepalived-types';
import { createLogger, silentLogger } from './log';
import type { DataMessageInput } from './outbox';

function setup(log = silentLogger) {
  const sent: Array<{ msg: DataMessageInput; ts: number }> = [];
  const c = new Controller((msg, ts) => sent.push({ msg, ts }), log);
  const fifo = (
    state: FifoLine['state'],
    priority = 100,
    ts = 1,
    type: FifoLine['type'] = 'INSTANCE',
    name = 'VI_1',
  ) => c.observe({ kind: 'fifo', ts, line: { type, name, state, priority } });
  return { c, sent, fifo };
}

const dumpInst = (over: Partial<DumpInstance> = {}): DumpInstance => ({
  name: 'VI_1',
  state: 'MASTER',
  basePriority: 100,
  effectivePriority: 100,
  vrid: 51,
  interface: 'eth0',
  vips: ['10.77.0.50'],
  lastTransition: 5000,
  ...over,
});

describe('Controller', () => {
  it('turns FIFO transitions into vrrp.transition (source fifo, ts = read time)', () => {
    const { c, sent, fifo } = setup();
    fifo('BACKUP', 100, 10);
    fifo('MASTER', 100, 20);
    expect(sent.map((s) => [s.msg.type, 'state' in s.msg ? s.msg.state : '', s.ts])).toEqual([
      ['vrrp.transition', 'BACKUP', 10],
      ['vrrp.transition', 'MASTER', 20],
    ]);
    expect(sent[1]?.msg).toMatchObject({ source: 'fifo', effectivePriority: 100 });
    const snap = c.snapshot();
    expect(snap.type === 'snapshot' && snap.vrrp[0]).toMatchObject({
      state: 'MASTER',
      lastTransition: 20,
    });
  });

  it('priority-change lines update effective priority and keep the state', () => {
    const { c, sent, fifo } = setup();
    fifo('MASTER', 100, 1);
    fifo('MASTER_PRIORITY', 80, 2);
    expect(sent[1]?.msg).toMatchObject({
      type: 'vrrp.transition',
      state: 'MASTER',
      effectivePriority: 80,
    });
    fifo('BACKUP', 80, 3);
    fifo('BACKUP_PRIORITY', 100, 4);
    expect(sent[3]?.msg).toMatchObject({ state: 'BACKUP', effectivePriority: 100 });
    const snap = c.snapshot();
    expect(snap.type === 'snapshot' && snap.vrrp[0]).toMatchObject({
      state: 'BACKUP',
      lastTransition: 3,
    });
  });

  it('logs MASTER_RX_LOWER_PRI as a split-brain hint, sending nothing for it', () => {
    const lines: string[] = [];
    const { sent, fifo } = setup(createLogger({ sink: (l) => lines.push(l) }));
    fifo('MASTER', 100);
    fifo('MASTER_RX_LOWER_PRI', 100);
    expect(sent).toHaveLength(1);
    expect(lines.some((l) => l.includes('WARN') && l.includes('split-brain'))).toBe(true);
  });

  it('sync groups: membership from config, state from GROUP lines, vrrp.group on change, in snapshots', () => {
    const { c, sent, fifo } = setup();
    c.observe({
      kind: 'sync.groups',
      ts: 1,
      groups: [{ name: 'VG_1', state: 'UNKNOWN', instances: ['VI_1', 'VI_2'] }],
    });
    expect(sent.map((s) => s.msg)).toEqual([
      {
        type: 'vrrp.group',
        group: { name: 'VG_1', state: 'UNKNOWN', instances: ['VI_1', 'VI_2'] },
      },
    ]);
    fifo('BACKUP', 0, 2, 'GROUP', 'VG_1');
    fifo('BACKUP', 0, 3, 'GROUP', 'VG_1');
    expect(sent).toHaveLength(2);
    expect(sent[1]?.msg).toEqual({
      type: 'vrrp.group',
      group: { name: 'VG_1', state: 'BACKUP', instances: ['VI_1', 'VI_2'] },
    });
    // The config is read again (unchanged): the known state is kept, nothing is sent.
    c.observe({
      kind: 'sync.groups',
      ts: 4,
      groups: [{ name: 'VG_1', state: 'UNKNOWN', instances: ['VI_1', 'VI_2'] }],
    });
    expect(sent).toHaveLength(2);
    const snap = c.snapshot();
    expect(snap.type === 'snapshot' && snap.syncGroups).toEqual([
      { name: 'VG_1', state: 'BACKUP', instances: ['VI_1', 'VI_2'] },
    ]);
  });

  it('upstreams and configs: sent on flip / change only, kept for snapshots', () => {
    const { c, sent } = setup();
    const up = (healthy: boolean, ts: number) => ({
      server: '10.0.0.21:8080',
      health: { healthy, checkedAt: ts },
    });
    c.observe({ kind: 'upstreams', ts: 1, list: [up(true, 1)] });
    c.observe({ kind: 'upstreams', ts: 2, list: [up(true, 2)] });
    c.observe({ kind: 'upstreams', ts: 3, list: [up(false, 3)] });
    expect(
      sent.map((s) => s.msg.type === 'upstream.health' && s.msg.upstream.health.healthy),
    ).toEqual([true, false]);
    const cfg = (hash: string, ok: boolean) => ({
      component: 'nginx' as const,
      hash,
      checkedAt: 5,
      test: { ok, code: ok ? 0 : 1, output: '' },
    });
    c.observe({ kind: 'config', config: cfg('a', true) });
    c.observe({ kind: 'config', config: cfg('a', true) });
    c.observe({ kind: 'config', config: cfg('a', false) });
    expect(sent.filter((s) => s.msg.type === 'config.observed')).toHaveLength(2);
    const snap = c.snapshot();
    expect(
      snap.type === 'snapshot' && [
        snap.upstreams?.[0]?.health.healthy,
        snap.configs?.[0]?.test?.ok,
      ],
    ).toEqual([false, false]);
  });

  it('sends a snapshot when a dump changes the instance list or VIP config, not otherwise', () => {
    const { c, sent } = setup();
    c.observe({ kind: 'keepalived.dump', ts: 100, source: 'json', instances: [dumpInst()] });
    expect(sent.map((s) => s.msg.type)).toEqual(['snapshot']);
    c.observe({ kind: 'keepalived.dump', ts: 200, source: 'json', instances: [dumpInst()] });
    expect(sent).toHaveLength(1);
    c.observe({
      kind: 'keepalived.dump',
      ts: 300,
      source: 'json',
      instances: [dumpInst({ vips: ['10.77.0.51'] })],
    });
    expect(sent.map((s) => s.msg.type)).toEqual(['snapshot', 'snapshot']);
  });

  it('emits a dump-sourced transition when the dump disagrees with the FIFO view', () => {
    const { c, sent, fifo } = setup();
    fifo('MASTER', 100, 1);
    c.observe({
      kind: 'keepalived.dump',
      ts: 50,
      source: 'json',
      instances: [dumpInst({ state: 'BACKUP', effectivePriority: 90 })],
    });
    const t = sent.find((s) => s.msg.type === 'vrrp.transition' && s.msg.source === 'dump');
    expect(t?.msg).toMatchObject({ state: 'BACKUP', effectivePriority: 90 });
    expect(t?.ts).toBe(50);
  });

  it('keepalived down: service.health once per flip, last instances kept, keepalivedRunning=false', () => {
    const { c, sent } = setup();
    c.observe({ kind: 'keepalived.process', ts: 1, running: true });
    c.observe({ kind: 'keepalived.dump', ts: 2, source: 'json', instances: [dumpInst()] });
    c.observe({ kind: 'keepalived.process', ts: 3, running: true });
    c.observe({ kind: 'keepalived.process', ts: 4, running: false, detail: 'process not running' });
    const health = sent.filter((s) => s.msg.type === 'service.health');
    expect(health.map((s) => s.msg.type === 'service.health' && s.msg.health.healthy)).toEqual([
      true,
      false,
    ]);
    const snap = sent.at(-1)?.msg;
    expect(snap).toMatchObject({ type: 'snapshot', keepalivedRunning: false });
    expect(snap?.type === 'snapshot' && snap.vrrp).toHaveLength(1);
  });

  it('kernel address changes become vip.change with the read time', () => {
    const { c, sent } = setup();
    const vip = { address: '10.77.0.50', prefix: 24, interface: 'eth0' };
    c.observe({ kind: 'addresses', ts: 7, addresses: [vip], added: [vip], removed: [] });
    c.observe({ kind: 'addresses', ts: 8, addresses: [], added: [], removed: [vip] });
    expect(sent.map((s) => [s.msg.type === 'vip.change' && s.msg.action, s.ts])).toEqual([
      ['add', 7],
      ['remove', 8],
    ]);
  });

  it('VH-6: a link going down under an address sends a snapshot with the address marked', () => {
    const { c, sent } = setup();
    const vip = { address: '10.77.0.50', prefix: 24, interface: 'eth0' };
    c.observe({ kind: 'addresses', ts: 7, addresses: [vip], added: [vip], removed: [] });
    const down = { ...vip, linkDown: true as const };
    c.observe({
      kind: 'addresses',
      ts: 9,
      addresses: [down],
      added: [],
      removed: [],
      linkChanged: [down],
    });
    const last = sent.at(-1);
    expect(last?.ts).toBe(9);
    expect(last?.msg.type === 'snapshot' && last.msg.addresses).toEqual([down]);
  });

  it('service.health only on the first result and when healthy flips; snapshot has the latest', () => {
    const { c, sent } = setup();
    const h = (healthy: boolean, checkedAt: number) =>
      c.observe({
        kind: 'health',
        service: 'nginx',
        health: { healthy, checkedAt, latencyMs: checkedAt },
      });
    h(true, 1);
    h(true, 2);
    h(false, 3);
    h(false, 4);
    expect(sent.map((s) => s.ts)).toEqual([1, 3]);
    const snap = c.snapshot();
    expect(snap.type === 'snapshot' && snap.services.nginx?.checkedAt).toBe(4);
  });
});
