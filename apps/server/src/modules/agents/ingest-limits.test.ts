import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@keepwatch/shared';
import { buildApp } from '../../app';
import { agent, hello, snapshot, testConfig, type TestSocket } from '../../testing/test-app';
import { MAX_SEQ_JUMP } from './inbound-limits';

/*
 * Issue 7 must-show: extra properties, a huge seq and a flood from one agent are each refused
 * or budgeted with a clear reason, and the agent's real messages after them are stored.
 * Real TCP WebSocket clients against a listening server (inbound-limits.ts IL-1..IL-4).
 */

const vipChange = (seq: number, ts = Date.now()) => ({
  type: 'vip.change',
  seq,
  ts,
  action: 'add',
  address: { address: `10.77.1.${seq % 250}`, prefix: 24, interface: 'eth0' },
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function listening(
  over: Parameters<typeof buildApp>[0] extends infer O ? Partial<O> : never = {},
): Promise<FastifyInstance> {
  const a = await buildApp({ config: testConfig(), dbPath: ':memory:', logger: false, ...over });
  await a.listen({ port: 0, host: '127.0.0.1' });
  app = a;
  return a;
}

const storedSeqs = (a: FastifyInstance): number[] =>
  (a.db.prepare('SELECT seq FROM events ORDER BY seq').all() as { seq: number }[]).map(
    (r) => r.seq,
  );
const acked = (s: TestSocket, seq: number) =>
  s.next((m) => m['type'] === 'ack' && Number(m['seq']) >= seq);
const refusal = (s: TestSocket, code: string) =>
  s.next((m) => m['type'] === 'refused' && m['code'] === code);

describe('agent ingest limits (real sockets)', () => {
  it('IL-2: extra properties (a 900 KB junk field) are refused, kept as rejected, never stored as data', async () => {
    const a = await listening();
    const sock = await agent(a);
    sock.send({ ...snapshot(1, 'MASTER', true), junk: 'x'.repeat(900_000) });
    const refused = await refusal(sock, 'invalid');
    expect(refused['reason']).toContain('/junk: Unexpected property');
    sock.send(snapshot(2, 'MASTER', true));
    await acked(sock, 2);
    expect(storedSeqs(a)).toEqual([2]);
    const rows = a.db.prepare('SELECT seq, reason, excerpt FROM rejected_events').all() as {
      seq: number;
      reason: string;
      excerpt: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reason).toContain('Unexpected property');
    expect(rows[0]?.excerpt.length).toBeLessThanOrEqual(2048);
    expect(sock.ws.readyState).toBe(sock.ws.OPEN);
  });

  it('IL-3: a seq far past the last stored one, and a seq of 1e300, are refused; the next real seq is stored', async () => {
    const a = await listening();
    const sock = await agent(a);
    sock.send(vipChange(1));
    await acked(sock, 1);
    sock.send(vipChange(2 + MAX_SEQ_JUMP));
    const jump = await refusal(sock, 'seq-jump');
    expect(jump).toMatchObject({ seq: 2 + MAX_SEQ_JUMP });
    expect(jump['reason']).toContain(`jumps more than ${MAX_SEQ_JUMP}`);
    sock.send({ ...vipChange(3), seq: 1e300 });
    const huge = await refusal(sock, 'invalid');
    expect(huge['reason']).toContain('/seq');
    sock.send(vipChange(2));
    await acked(sock, 2);
    expect(storedSeqs(a)).toEqual([1, 2]);
    // The dedupe was not poisoned: a fresh connection resumes after 2.
    sock.ws.close();
    const again = await agent(a);
    expect(again.messages.find((m) => m['type'] === 'welcome')).toMatchObject({ ackedSeq: 2 });
  });

  it('IL-1: a flood is budgeted: refused with the reason, socket closed 4429; after the pause the real messages are stored', async () => {
    let clock = Date.now();
    const a = await listening({
      now: () => clock,
      agentBudget: { burstFrames: 20, framesPerS: 1 },
    });
    const sock = await agent(a);
    for (let seq = 1; seq <= 200; seq++) sock.send(vipChange(seq, clock));
    const refused = await refusal(sock, 'budget');
    expect(refused['reason']).toMatch(/over the agent budget .*not stored; reconnect after \d+ ms/);
    const closed = await sock.closed;
    expect(closed.code).toBe(CloseCode.overBudget);
    expect(closed.reason).toContain('budget');
    await a.writer.flush();
    const kept = storedSeqs(a);
    // What was stored is the head of the flood, nothing past the refusal.
    expect(kept).toEqual(kept.map((_, i) => i + 1));
    expect(kept.length).toBeLessThanOrEqual(20);
    expect(Number(refused['seq'])).toBe(kept.length + 1);
    // The budget refills with time (the injected clock); the agent replays after its welcome.
    clock += 60_000;
    const again = await agent(a, hello());
    const welcome = again.messages.find((m) => m['type'] === 'welcome');
    expect(welcome).toMatchObject({ ackedSeq: kept.length });
    const next = kept.length + 1;
    again.send(vipChange(next, clock));
    again.send(snapshot(next + 1, 'MASTER', true, clock));
    await acked(again, next + 1);
    expect(storedSeqs(a).slice(-2)).toEqual([next, next + 1]);
  });

  it('IL-4: an agent time past receive time + the skew limit is clamped; its own time is kept', async () => {
    const a = await listening();
    const sock = await agent(a);
    const future = Date.now() + 3_600_000;
    sock.send(vipChange(1, future));
    await acked(sock, 1);
    const row = a.db.prepare('SELECT ts, received_at, agent_ts FROM events').get() as {
      ts: number;
      received_at: number;
      agent_ts: number;
    };
    expect(row.agent_ts).toBe(future);
    expect(row.ts).toBe(row.received_at + 500);
  });
});
