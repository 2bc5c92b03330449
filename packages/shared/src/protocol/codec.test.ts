import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, agentToServerCodec, parseAgentConfig } from '../index';

const hello = {
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  agentId: 'lb1',
  token: 't',
  node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab' } },
  facts: { hostname: 'lb1', agentVersion: '0.1.0' },
  capabilities: { observe: ['keepalived'], control: [] },
};

describe('agent codec', () => {
  it('accepts a valid hello', () => {
    const r = agentToServerCodec.decode(JSON.stringify(hello));
    expect(r.ok).toBe(true);
  });
  it('rejects text that is not JSON', () => {
    expect(agentToServerCodec.decode('{nope')).toEqual({
      ok: false,
      error: 'frame is not valid JSON',
    });
  });
  it('names the offending field of a schema violation', () => {
    const r = agentToServerCodec.decode(
      JSON.stringify({
        type: 'vrrp.transition',
        seq: 0,
        ts: 1,
        instance: 'VI_1',
        state: 'MASTER',
        effectivePriority: 100,
        source: 'fifo',
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/seq/);
  });
  it('rejects an unknown message type', () => {
    const r = agentToServerCodec.decode(JSON.stringify({ type: 'bogus', seq: 1, ts: 1 }));
    expect(r.ok).toBe(false);
  });
});

describe('agent config', () => {
  it('fills defaults and stays monitor-only unless granted', () => {
    const r = parseAgentConfig({
      agentId: 'lb1',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab' } },
      server: { url: 'ws://127.0.0.1:8470', token: 'x' },
      stateDir: '/var/lib/keepwatch-agent',
      nginx: { probe: { url: 'http://127.0.0.1/healthz' } },
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.control).toEqual([]);
      expect(r.value.nginx?.probe.intervalMs).toBe(500);
    }
  });
  it('rejects a server URL that is not a WebSocket URL', () => {
    const r = parseAgentConfig({
      agentId: 'lb1',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab' } },
      server: { url: 'http://x', token: 'x' },
      stateDir: '/tmp/x',
    });
    expect(r.ok).toBe(false);
  });
});

describe('server-to-agent codec', () => {
  it('accepts an action request and names the bad field of a malformed one', async () => {
    const { serverToAgentCodec } = await import('../index');
    const good = {
      type: 'action.request',
      id: 'a1',
      action: 'drill.fault',
      params: { drillId: 'd1', fault: 'stop-nginx', restoreAfterMs: 30_000 },
    };
    expect(serverToAgentCodec.check(good).ok).toBe(true);
    const bad = serverToAgentCodec.check({
      ...good,
      params: { ...good.params, fault: 'rm -rf /' },
    });
    expect(bad.ok).toBe(false);
  });
});
