import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import {
  ActionRequest,
  AgentToServer,
  LogsSubscribe,
  LogsUnsubscribe,
  MAX_SEQ,
  PROTOCOL_VERSION,
  Strict,
  agentToServerCodec,
  openObjectPaths,
  serverToAgentCodec,
} from '../index';

const transition = {
  type: 'vrrp.transition',
  seq: 1,
  ts: 1_700_000_000_000,
  instance: 'VI_1',
  state: 'MASTER',
  effectivePriority: 100,
  source: 'fifo',
};

describe('closed inbound schemas', () => {
  it('every agent -> server message is closed at every depth', () => {
    expect(openObjectPaths(AgentToServer)).toEqual([]);
  });

  it('requests that make an agent act are closed too', () => {
    expect(openObjectPaths(ActionRequest)).toEqual([]);
    expect(openObjectPaths(LogsSubscribe)).toEqual([]);
    expect(openObjectPaths(LogsUnsubscribe)).toEqual([]);
  });

  it('finds an open object however deep it sits', () => {
    const schema = Strict({
      a: Type.Array(Type.Union([Strict({ x: Type.String() }), Type.Object({ y: Type.String() })])),
      m: Type.Record(Type.String(), Type.String(), { additionalProperties: false }),
    });
    expect(openObjectPaths(schema)).toEqual(['/a/*(anyOf[1])', '/m']);
  });

  it('refuses an extra property of a data message, naming it', () => {
    const r = agentToServerCodec.check({ ...transition, junk: 'x'.repeat(900_000) });
    expect(r).toEqual({
      ok: false,
      error: expect.stringMatching(/vrrp\.transition.*\/junk: Unexpected property/) as unknown,
    });
  });

  it('refuses an extra property deep inside a hello', () => {
    const r = agentToServerCodec.check({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agentId: 'lb1',
      token: 't',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'lab', name: 'Lab', evil: 1 } },
      facts: { hostname: 'lb1', agentVersion: '0.1.0' },
      capabilities: { observe: [], control: [] },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('/node/cluster/evil');
  });

  it('refuses a seq beyond Number.MAX_SAFE_INTEGER and accepts the largest safe one', () => {
    expect(agentToServerCodec.check({ ...transition, seq: 1e300 }).ok).toBe(false);
    expect(agentToServerCodec.check({ ...transition, seq: MAX_SEQ + 2 }).ok).toBe(false);
    expect(agentToServerCodec.check({ ...transition, seq: MAX_SEQ }).ok).toBe(true);
  });

  it('refuses a timestamp outside what a Date can hold', () => {
    expect(agentToServerCodec.check({ ...transition, ts: 1e300 }).ok).toBe(false);
  });

  it('an agent refuses an action request with a parameter it does not know', () => {
    const request = {
      type: 'action.request',
      id: 'a1',
      action: 'drill.fault',
      params: { drillId: 'd1', fault: 'stop-nginx', restoreAfterMs: 30_000 },
    };
    expect(serverToAgentCodec.check(request).ok).toBe(true);
    const r = serverToAgentCodec.check({ ...request, params: { ...request.params, force: true } });
    expect(r.ok).toBe(false);
  });

  it('an agent still accepts a welcome carrying a field from a newer server', () => {
    const r = serverToAgentCodec.check({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      serverTime: 1,
      ackedSeq: 0,
      motd: 'hi',
    });
    expect(r.ok).toBe(true);
  });
});
