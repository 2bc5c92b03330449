import { describe, expect, it } from 'vitest';
import { CloseCode, type NodeIdentity, type ServerToAgent } from '@keepwatch/shared';
import { AgentRegistry, type RegisteredConnection } from './agent-registry';

class FakeConn implements RegisteredConnection {
  closed: { code: number; reason: string } | undefined;
  delivered: ServerToAgent[] = [];
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  deliver(msg: ServerToAgent): boolean {
    this.delivered.push(msg);
    return true;
  }
}

const node = (name: string, cluster = 'lab'): NodeIdentity => ({
  name,
  role: 'lb',
  cluster: { id: cluster, name: cluster },
});

describe('agent registry (SPEC.md OR-*)', () => {
  it('OR-1: a newer socket of the same agent replaces the older, which is closed 4409 and releases nothing', () => {
    const r = new AgentRegistry();
    const a = new FakeConn();
    const b = new FakeConn();
    const first = r.claim('agent-lb1', node('lb1'), a, 100);
    const second = r.claim('agent-lb1', node('lb1'), b, 200);
    expect(a.closed?.code).toBe(CloseCode.replaced);
    expect(b.closed).toBeUndefined();
    expect(second.socketId).toBeGreaterThan(first.socketId);
    expect(r.get('agent-lb1')).toEqual(second);
    expect(r.list()).toEqual([second]);
    // The replaced socket's own close comes later and must not take the agent offline.
    expect(r.release('agent-lb1', a)).toBeUndefined();
    expect(r.isOnline('agent-lb1')).toBe(true);
    expect(r.send('agent-lb1', { type: 'ack', seq: 1 })).toBe(true);
    expect(b.delivered).toEqual([{ type: 'ack', seq: 1 }]);
    expect(a.delivered).toEqual([]);
  });

  it('OR-2: a node is held by one agent at a time; the holder moving to another node frees it', () => {
    const r = new AgentRegistry();
    r.claim('agent-a', node('lb1'), new FakeConn(), 1);
    expect(r.nodeHeldBy(node('lb1'), 'agent-b')).toBe('agent-a');
    expect(r.nodeHeldBy(node('lb1'), 'agent-a')).toBeUndefined();
    // Same name in another cluster is another node.
    expect(r.nodeHeldBy(node('lb1', 'other'), 'agent-b')).toBeUndefined();
    r.claim('agent-a', node('lb2'), new FakeConn(), 2);
    expect(r.nodeHeldBy(node('lb1'), 'agent-b')).toBeUndefined();
    expect(r.nodeHeldBy(node('lb2'), 'agent-b')).toBe('agent-a');
  });

  it('OR-3: only the current connection releases the entry, once; since and node are what the hello said', () => {
    const r = new AgentRegistry();
    const a = new FakeConn();
    r.claim('agent-lb1', node('lb1'), a, 1234);
    expect(r.get('agent-lb1')).toMatchObject({
      agentId: 'agent-lb1',
      since: 1234,
      node: node('lb1'),
    });
    expect(r.release('agent-lb1', new FakeConn())).toBeUndefined();
    expect(r.release('agent-lb1', a)).toMatchObject({ agentId: 'agent-lb1', since: 1234 });
    expect(r.release('agent-lb1', a)).toBeUndefined();
    expect(r.isOnline('agent-lb1')).toBe(false);
    expect(r.nodeHeldBy(node('lb1'), 'agent-x')).toBeUndefined();
    expect(r.size).toBe(0);
    expect(r.send('agent-lb1', { type: 'ack', seq: 1 })).toBe(false);
  });

  it('OR-4: closeAgent closes the live socket and says whether there was one', () => {
    const r = new AgentRegistry();
    const a = new FakeConn();
    r.claim('agent-lb1', node('lb1'), a, 1);
    expect(r.closeAgent('agent-lb1', CloseCode.unauthorized, 'agent credential revoked')).toBe(
      true,
    );
    expect(a.closed).toEqual({ code: CloseCode.unauthorized, reason: 'agent credential revoked' });
    expect(r.closeAgent('nobody', CloseCode.unauthorized, 'x')).toBe(false);
  });
});
